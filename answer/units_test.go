package answer

import (
	"math"
	"strings"
	"testing"
)

func TestParseUnitConvertsEverySpelling(t *testing.T) {
	cases := []struct {
		name     string
		from, to string
		x, want  float64
	}{
		{"an SI prefix on a length", "cm", "m", 5.31e-9, 5.31e-11},
		{"micro written as \\mu", `\mu\mathrm{m}`, "nm", 0.5015, 501.5},
		{"micro written as µ", "µm", "nm", 0.3, 300},
		{"micro inside mathrm", `$\mathrm{\mu m}$`, "nm", 0.3, 300},
		{"ångström as \\text{\\AA}", `\text{\AA}`, "m", 19, 1.9e-9},
		{"ångström as Å", "Å", "nm", 10, 1},
		{"electron-volts to joules", "eV", "J", 1, 1.602176634e-19},
		{"keV to eV", `\mathrm{keV}`, "eV", -0.0136, -13.6},
		{"kilopascal to atmospheres", "kPa", "atm", 101.325, 1},
		{"bar to pascal", "bar", "Pa", 4.81, 4.81e5},
		{"km/h to m/s", `\mathrm{km/h}`, "m/s", 7920, 2200},
		{"m s^{-1} with a thin space", `\mathrm{m\,s^{-1}}`, "m/s", 2200, 2200},
		{"\\text{m}\\cdot\\text{s}^{-1}", `\text{m}\cdot\text{s}^{-1}`, "m/s", 1, 1},
		{"unicode m·s⁻¹", "m·s⁻¹", "km/s", 2200, 2.2},
		{"litres in a density", "g/L", `$\mathrm{kg} / \mathrm{m}^3$`, 7.7e-22, 7.7e-22},
		{"grams per cubic centimetre", "g/cm^3", "kg/m^3", 1, 1000},
		{"celsius to kelvin is affine", `^{\circ}\mathrm{C}`, "K", -18, 255.15},
		{"kelvin to celsius is affine", "K", `$^{\circ}\mathrm{C}$`, 313, 39.85},
		{"a compound unit with kelvin is not affine", `\mathrm{m\,K}`, `$\mathrm{nm} \cdot K$`, 2.898e-3, 2.898e6},
		{"minutes to hours", "min", "h", 207.6, 3.46},
		{"years written out", `\mathrm{yr}`, "years", 8.06e4, 8.06e4},
		{"degrees to radians", "degrees", "rad", 180, math.Pi},
		{"a degree sign", `^{\circ}`, "radian", 321, 5.6025},
		{"astronomical units", "AU", "km", 1, 1.495978707e8},
		{"light-years", "ly", "km", 1.9e-11, 179.75},
		{"solar masses", `M_{\odot}`, "kg", 1, 1.989e30},
		{"solar masses unbraced", `M_\odot`, "kg", 2, 3.978e30},
		{"newton per metre is g/s^2", "N/m", "g/s^2", 0.06, 60},
		{"kg s^{-2} is g/s^2", `\mathrm{kg\,s^{-2}}`, "g/s^2", 0.06, 60},
		{"a unit fraction", `$\frac{GV}{m}$`, "V/m", 1, 1e9},
		{"bracketed denominators", `W/(m^2 \mathrm{K})`, `\mathrm{W\,m^{-2}\,K^{-1}}`, 0.36, 0.36},
		{"mPa·s", `\mathrm{mPa\cdot s}`, `$\mathrm{Pa} \cdot s$`, 2, 2e-3},
		{"percent", `\%`, "", 3.16, 0.0316},
		{"a leading thin space", `\,\mathrm{J}`, "mJ", 0.02, 20},
		{"plural words", "meters", "km", 1500, 1.5},
		{"a unit in Chinese", "千克", "g", 5, 5000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			from, err := ParseUnit(c.from)
			if err != nil {
				t.Fatalf("ParseUnit(%q): %v", c.from, err)
			}
			to, err := goldUnit(c.to)
			if err != nil {
				t.Fatalf("ParseUnit(%q): %v", c.to, err)
			}
			got, err := from.Convert(c.x, to)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-c.want) > 1e-3*math.Abs(c.want) {
				t.Fatalf("%g %s = %g %s, want %g", c.x, c.from, got, c.to, c.want)
			}
		})
	}
}

func TestUnitsOfADifferentDimensionDoNotConvert(t *testing.T) {
	cases := []struct{ from, to string }{
		{"J", "eV/c"}, {"W", "J"}, {"kg", "N"}, {"m/s", "km"}, {"K", "m"}, {"N/m", "N"},
		{"W\\,m^{-2}", `W/(m^2 \mathrm{K})`},
	}
	for _, c := range cases {
		t.Run(c.from+" to "+c.to, func(t *testing.T) {
			from, err1 := ParseUnit(c.from)
			to, err2 := ParseUnit(c.to)
			if err1 != nil || err2 != nil {
				t.Fatalf("parse: %v %v", err1, err2)
			}
			if _, err := from.Convert(1, to); err == nil || !strings.Contains(err.Error(), "different dimension") {
				t.Fatalf("converted %s to %s (err %v)", c.from, c.to, err)
			}
		})
	}
}

func TestUnknownUnitsAreErrorsNamingTheUnit(t *testing.T) {
	cases := []struct{ unit, want string }{
		{"furlong", `"furlong"`}, {"m/fortnight", `"fortnight"`}, {`\mathrm{xyz}`, `"xyz"`},
		{"m^{", "unit"}, {`\foo`, `\foo`},
	}
	for _, c := range cases {
		t.Run(c.unit, func(t *testing.T) {
			_, err := ParseUnit(c.unit)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseUnit(%q) error %v, want it to name %s", c.unit, err, c.want)
			}
		})
	}
}

func TestUnknownGoldUnitIsAnErrorVerdict(t *testing.T) {
	v := EquivalentPhysics(PhysicsGold{Answer: "3", Unit: "furlong", Type: TypeNumerical}, "3", DefaultOptions())
	if v.Status != StatusError || v.Correct || !strings.Contains(v.Detail, `"furlong"`) {
		t.Fatalf("verdict %+v, want an error naming the unit", v)
	}
}
