package answer

import "math"

// The unit table: every unit the physics verifier knows, as a factor to SI base units and a
// dimension. This is the only file to edit to add a unit. Constants follow
// ../shared/testdata/physics/README.md (eV, AU, ly, year = 365.25 d, atm, bar, M_⊙).

// dim is a dimension: exponents of m, kg, s, A, K, mol, cd. Angles are dimensionless.
type dim [7]float64

var (
	dLen   = dim{1}
	dMass  = dim{0, 1}
	dTime  = dim{0, 0, 1}
	dCur   = dim{0, 0, 0, 1}
	dTemp  = dim{0, 0, 0, 0, 1}
	dMol   = dim{0, 0, 0, 0, 0, 1}
	dLum   = dim{0, 0, 0, 0, 0, 0, 1}
	dNone  = dim{}
	dFreq  = dim{0, 0, -1}
	dForce = dim{1, 1, -2}
	dPres  = dim{-1, 1, -2}
	dEner  = dim{2, 1, -2}
	dPow   = dim{2, 1, -3}
	dChg   = dim{0, 0, 1, 1}
	dVolt  = dim{2, 1, -3, -1}
	dVol   = dim{3}
)

// unitDef is one entry of the table: value in SI = x·factor + offset (offset only for the
// affine temperature scales, applied when the unit stands alone).
type unitDef struct {
	factor     float64
	d          dim
	offset     float64
	prefixable bool // accepts SI prefixes (km, µs, MeV)
}

const (
	eV    = 1.602176634e-19
	au    = 1.495978707e11
	ly    = 9.4607304725808e15
	year  = 365.25 * 86400
	atm   = 101325
	mSun  = 1.989e30
	rSun  = 6.957e8 // solar radius; IPhO 2025 Q1's R_⊙ is a different length (README)
	pc    = 3.0856775814913673e16
	degSI = math.Pi / 180
)

// unitTable maps a unit symbol or name to its definition. Lookups try the exact spelling first,
// then an SI prefix followed by a prefixable symbol.
var unitTable = map[string]unitDef{
	// SI base and derived units
	"m": {1, dLen, 0, true}, "g": {1e-3, dMass, 0, true}, "s": {1, dTime, 0, true},
	"A": {1, dCur, 0, true}, "K": {1, dTemp, 0, true}, "mol": {1, dMol, 0, true},
	"cd": {1, dLum, 0, false}, "Hz": {1, dFreq, 0, true}, "N": {1, dForce, 0, true},
	"Pa": {1, dPres, 0, true}, "J": {1, dEner, 0, true}, "W": {1, dPow, 0, true},
	"C": {1, dChg, 0, true}, "V": {1, dVolt, 0, true}, "F": {1, dim{-2, -1, 4, 2}, 0, true},
	"Ω": {1, dim{2, 1, -3, -2}, 0, true}, "ohm": {1, dim{2, 1, -3, -2}, 0, true},
	"T": {1, dim{0, 1, -2, -1}, 0, true}, "Wb": {1, dim{2, 1, -2, -1}, 0, true},
	"H": {1, dim{2, 1, -2, -2}, 0, true}, "rad": {1, dNone, 0, true}, "sr": {1, dNone, 0, false},
	"Bq": {1, dFreq, 0, true}, "Gy": {1, dim{2, 0, -2}, 0, true},
	// non-SI units olympiads use
	"eV": {eV, dEner, 0, true}, "Å": {1e-10, dLen, 0, false}, "bar": {1e5, dPres, 0, true},
	"atm": {atm, dPres, 0, false}, "Torr": {atm / 760, dPres, 0, false}, "torr": {atm / 760, dPres, 0, false},
	"mmHg": {133.322387415, dPres, 0, false}, "L": {1e-3, dVol, 0, true}, "l": {1e-3, dVol, 0, false},
	"min": {60, dTime, 0, false}, "h": {3600, dTime, 0, false}, "d": {86400, dTime, 0, false},
	"day": {86400, dTime, 0, false}, "yr": {year, dTime, 0, true}, "y": {year, dTime, 0, false},
	"AU": {au, dLen, 0, false}, "au": {au, dLen, 0, false}, "ly": {ly, dLen, 0, false},
	"pc": {pc, dLen, 0, true}, "Msun": {mSun, dMass, 0, false}, "Rsun": {rSun, dLen, 0, false},
	"°": {degSI, dNone, 0, false}, "deg": {degSI, dNone, 0, false},
	"°C": {1, dTemp, 273.15, false}, "°F": {5.0 / 9, dTemp, 273.15 - 32*5.0/9, false},
	"%": {1e-2, dNone, 0, false}, "u": {1.66053906660e-27, dMass, 0, false}, "Da": {1.66053906660e-27, dMass, 0, true},
	"erg": {1e-7, dEner, 0, false}, "cal": {4.184, dEner, 0, true}, "Wh": {3600, dEner, 0, true},
	"dyn": {1e-5, dForce, 0, false}, "t": {1e3, dMass, 0, false},
	"ft": {0.3048, dLen, 0, false}, "in": {0.0254, dLen, 0, false}, "mi": {1609.344, dLen, 0, false},
	"mph": {1609.344 / 3600, dim{1, 0, -1}, 0, false}, "kph": {1000.0 / 3600, dim{1, 0, -1}, 0, false},
	"lb": {0.45359237, dMass, 0, false}, "c": {299792458, dim{1, 0, -1}, 0, false},
	// words
	"meter": {1, dLen, 0, false}, "metre": {1, dLen, 0, false}, "second": {1, dTime, 0, false},
	"sec": {1, dTime, 0, false}, "gram": {1e-3, dMass, 0, false}, "kilogram": {1, dMass, 0, false},
	"kelvin": {1, dTemp, 0, false}, "degree": {degSI, dNone, 0, false}, "radian": {1, dNone, 0, false},
	"year": {year, dTime, 0, false}, "minute": {60, dTime, 0, false}, "hour": {3600, dTime, 0, false},
	"hr": {3600, dTime, 0, false}, "joule": {1, dEner, 0, false}, "watt": {1, dPow, 0, false},
	"newton": {1, dForce, 0, false}, "pascal": {1, dPres, 0, false}, "volt": {1, dVolt, 0, false},
	"ampere": {1, dCur, 0, false}, "coulomb": {1, dChg, 0, false}, "tesla": {1, dim{0, 1, -2, -1}, 0, false},
	"liter": {1e-3, dVol, 0, false}, "litre": {1e-3, dVol, 0, false}, "hertz": {1, dFreq, 0, false},
	"kilometer": {1e3, dLen, 0, false}, "kilometre": {1e3, dLen, 0, false}, "centimeter": {1e-2, dLen, 0, false},
	"millimeter": {1e-3, dLen, 0, false}, "nanometer": {1e-9, dLen, 0, false}, "electronvolt": {eV, dEner, 0, false},
	"lightyear": {ly, dLen, 0, false}, "parsec": {pc, dLen, 0, false}, "angstrom": {1e-10, dLen, 0, false},
	"celsius": {1, dTemp, 273.15, false}, "percent": {1e-2, dNone, 0, false},
	// units in other languages (after a number in a non-English response)
	"米": {1, dLen, 0, false}, "千米": {1e3, dLen, 0, false}, "厘米": {1e-2, dLen, 0, false},
	"毫米": {1e-3, dLen, 0, false}, "秒": {1, dTime, 0, false}, "分钟": {60, dTime, 0, false},
	"小时": {3600, dTime, 0, false}, "千克": {1, dMass, 0, false}, "克": {1e-3, dMass, 0, false},
	"公斤": {1, dMass, 0, false}, "牛": {1, dForce, 0, false}, "焦": {1, dEner, 0, false},
	"焦耳": {1, dEner, 0, false}, "瓦": {1, dPow, 0, false}, "伏": {1, dVolt, 0, false},
	"帕": {1, dPres, 0, false}, "度": {degSI, dNone, 0, false}, "开": {1, dTemp, 0, false},
	"м": {1, dLen, 0, false}, "км": {1e3, dLen, 0, false}, "см": {1e-2, dLen, 0, false},
	"с": {1, dTime, 0, false}, "кг": {1, dMass, 0, false}, "г": {1e-3, dMass, 0, false},
	"Н": {1, dForce, 0, false}, "Дж": {1, dEner, 0, false}, "Вт": {1, dPow, 0, false},
	"В": {1, dVolt, 0, false}, "Па": {1, dPres, 0, false}, "К": {1, dTemp, 0, false},
	"ч": {3600, dTime, 0, false}, "мин": {60, dTime, 0, false},
}

// unitPrefixes are the SI prefixes, longest first where one is a prefix of another.
var unitPrefixes = []struct {
	p string
	f float64
}{
	{"da", 1e1}, {"Y", 1e24}, {"Z", 1e21}, {"E", 1e18}, {"P", 1e15}, {"T", 1e12}, {"G", 1e9},
	{"M", 1e6}, {"k", 1e3}, {"h", 1e2}, {"d", 1e-1}, {"c", 1e-2}, {"m", 1e-3}, {"µ", 1e-6},
	{"u", 1e-6}, {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}, {"a", 1e-18},
}

// unitPlurals are the word endings dropped before a word lookup ("meters", "degrees").
var unitPlurals = []string{"es", "s"}
