package answer

import (
	"hash/fnv"
	"math"
	"math/big"
	"math/cmplx"
	"strings"
)

// exact evaluates n as an exact rational when it is built from rationals with +, -, ×, ÷,
// integer powers and square roots of perfect squares; ok is false otherwise.
func exact(n *node, bud *budget) (*big.Rat, bool) {
	bud.step(1)
	switch n.k {
	case kNum:
		return n.val, true
	case kNeg:
		v, ok := exact(n.kids[0], bud)
		if !ok {
			return nil, false
		}
		return new(big.Rat).Neg(v), true
	case kAdd, kMul:
		acc := big.NewRat(0, 1)
		if n.k == kMul {
			acc.SetInt64(1)
		}
		for _, c := range n.kids {
			v, ok := exact(c, bud)
			if !ok {
				return nil, false
			}
			if n.k == kAdd {
				acc.Add(acc, v)
			} else {
				acc.Mul(acc, v)
			}
			if acc.Num().BitLen()+acc.Denom().BitLen() > MaxExpBits {
				return nil, false
			}
		}
		return acc, true
	case kDiv:
		a, ok1 := exact(n.kids[0], bud)
		b, ok2 := exact(n.kids[1], bud)
		if !ok1 || !ok2 || b.Sign() == 0 {
			return nil, false
		}
		return new(big.Rat).Quo(a, b), true
	case kPow:
		a, ok1 := exact(n.kids[0], bud)
		e, ok2 := exact(n.kids[1], bud)
		if !ok1 || !ok2 || !e.IsInt() || !e.Num().IsInt64() {
			return nil, false
		}
		k := e.Num().Int64()
		if k < 0 && a.Sign() == 0 {
			return nil, false
		}
		bits := int64(a.Num().BitLen() + a.Denom().BitLen())
		if k > MaxExpBits || k < -MaxExpBits || bits*abs64(k) > MaxExpBits {
			return nil, false
		}
		bud.step(int(bits * abs64(k) / 64))
		num := new(big.Int).Exp(a.Num(), big.NewInt(abs64(k)), nil)
		den := new(big.Int).Exp(a.Denom(), big.NewInt(abs64(k)), nil)
		if k < 0 {
			num, den = den, num
		}
		return new(big.Rat).SetFrac(num, den), true
	case kFunc:
		switch n.name {
		case "sqrt":
			a, ok := exact(n.kids[0], bud)
			if !ok || a.Sign() < 0 {
				return nil, false
			}
			rn, okn := isqrt(a.Num())
			rd, okd := isqrt(a.Denom())
			if okn && okd {
				return new(big.Rat).SetFrac(rn, rd), true
			}
		case "abs":
			a, ok := exact(n.kids[0], bud)
			if ok {
				return new(big.Rat).Abs(a), true
			}
		case "deg":
			return exact(n.kids[0], bud)
		case "fact":
			a, ok := exact(n.kids[0], bud)
			if ok && a.IsInt() && a.Sign() >= 0 && a.Num().IsInt64() && a.Num().Int64() <= 200 {
				return new(big.Rat).SetInt(new(big.Int).MulRange(1, max(a.Num().Int64(), 1))), true
			}
		case "binom":
			a, ok1 := exact(n.kids[0], bud)
			b, ok2 := exact(n.kids[1], bud)
			if ok1 && ok2 && a.IsInt() && b.IsInt() && a.Num().IsInt64() && b.Num().IsInt64() {
				x, y := a.Num().Int64(), b.Num().Int64()
				if x >= 0 && x <= 1000 && y >= 0 && y <= x {
					return new(big.Rat).SetInt(new(big.Int).Binomial(x, y)), true
				}
			}
		}
	}
	return nil, false
}

func abs64(k int64) int64 {
	if k < 0 {
		return -k
	}
	return k
}

func isqrt(x *big.Int) (*big.Int, bool) {
	if x.Sign() < 0 {
		return nil, false
	}
	r := new(big.Int).Sqrt(x)
	return r, new(big.Int).Mul(r, r).Cmp(x) == 0
}

// env maps variable names to the values of one random evaluation point.
type env map[string]complex128

var nan = complex(math.NaN(), 0)

// numeric evaluates n in complex floating point at the point env; ok is false for constructs
// that have no value (sets, relations, unknown functions, infinity).
func numeric(n *node, e env, bud *budget) (complex128, bool) {
	bud.step(1)
	switch n.k {
	case kNum:
		f, _ := n.val.Float64()
		return complex(f, 0), true
	case kSym:
		switch n.name {
		case "pi":
			return complex(math.Pi, 0), true
		case "e":
			return complex(math.E, 0), true
		case "i":
			return 1i, true
		case "inf", "...":
			return nan, false
		}
		v, ok := e[n.name]
		return v, ok
	case kNeg:
		v, ok := numeric(n.kids[0], e, bud)
		return -v, ok
	case kPercent:
		v, ok := numeric(n.kids[0], e, bud)
		return v, ok
	case kAdd, kMul:
		acc := complex(0, 0)
		if n.k == kMul {
			acc = 1
		}
		for _, c := range n.kids {
			v, ok := numeric(c, e, bud)
			if !ok {
				return nan, false
			}
			if n.k == kAdd {
				acc += v
			} else {
				acc *= v
			}
		}
		return acc, true
	case kDiv:
		a, ok1 := numeric(n.kids[0], e, bud)
		b, ok2 := numeric(n.kids[1], e, bud)
		if !ok1 || !ok2 || b == 0 {
			return nan, false
		}
		return a / b, true
	case kPow:
		a, ok1 := numeric(n.kids[0], e, bud)
		b, ok2 := numeric(n.kids[1], e, bud)
		if !ok1 || !ok2 {
			return nan, false
		}
		r, ok := powc(a, b)
		if !ok || !finite(r) || r == 0 && a != 0 {
			return nan, false // overflow or underflow: the value is not known
		}
		return r, true
	case kFunc:
		return function(n, e, bud)
	}
	return nan, false
}

// powc raises a to b, with real odd roots of negative numbers.
func powc(a, b complex128) (complex128, bool) {
	{
		if imag(b) == 0 && real(b) == math.Trunc(real(b)) && math.Abs(real(b)) <= 64 {
			return ipow(a, int(real(b))), true
		}
		if imag(a) == 0 && real(a) > 0 && imag(b) == 0 {
			return complex(math.Pow(real(a), real(b)), 0), true
		}
		if imag(a) == 0 && real(a) < 0 && imag(b) == 0 {
			// real odd roots of negatives: (-8)^(1/3) = -2
			if q := 1 / real(b); math.Abs(q-math.Round(q)) < 1e-9 && int(math.Round(q))%2 != 0 {
				return complex(-math.Pow(-real(a), real(b)), 0), true
			}
		}
		return cmplx.Pow(a, b), true
	}
}

func ipow(a complex128, k int) complex128 {
	r := complex(1, 0)
	neg := k < 0
	if neg {
		k = -k
	}
	for ; k > 0; k-- {
		r *= a
	}
	if neg {
		return 1 / r
	}
	return r
}

func function(n *node, e env, bud *budget) (complex128, bool) {
	args := make([]complex128, len(n.kids))
	for i, c := range n.kids {
		if i == 0 && isTrig(n.name) && hasDeg(c) {
			c = radians(c) // \sin(90^\circ - x): degree signs inside are π/180
		}
		v, ok := numeric(c, e, bud)
		if !ok {
			return nan, false
		}
		args[i] = v
	}
	if len(args) == 0 {
		return nan, false
	}
	x := args[0]
	if strings.HasPrefix(n.name, "fn:") {
		// An unknown function: a fixed pseudo-random smooth function per name, so f(x) = f(x)
		// but f(x) ≠ f(y), f(2) ≠ f(3) and f(x) ≠ f·x.
		h := fnv.New64a()
		h.Write([]byte(n.name))
		seed := float64(h.Sum64()%1000)/1000 + 0.5
		v := complex(seed, 0)
		for i, a := range args {
			v += cmplx.Sin(a*complex(1.3+0.7*float64(i), 0)+complex(seed, 0)) * complex(seed+float64(i), 0)
		}
		return v, true
	}
	switch n.name {
	case "deg":
		return x, true
	case "sin":
		return cmplx.Sin(x), true
	case "cos":
		return cmplx.Cos(x), true
	case "tan":
		return cmplx.Tan(x), true
	case "sec":
		return 1 / cmplx.Cos(x), true
	case "csc":
		return 1 / cmplx.Sin(x), true
	case "cot":
		return 1 / cmplx.Tan(x), true
	case "arcsin":
		return cmplx.Asin(x), true
	case "arccos":
		return cmplx.Acos(x), true
	case "arctan":
		return cmplx.Atan(x), true
	case "sinh":
		return cmplx.Sinh(x), true
	case "cosh":
		return cmplx.Cosh(x), true
	case "tanh":
		return cmplx.Tanh(x), true
	case "exp":
		return cmplx.Exp(x), true
	case "ln":
		return cmplx.Log(x), true
	case "lg":
		return cmplx.Log10(x), true
	case "log":
		if len(args) == 2 {
			return cmplx.Log(x) / cmplx.Log(args[1]), true
		}
		return cmplx.Log(x), true
	case "sqrt":
		if imag(x) == 0 && real(x) >= 0 {
			return complex(math.Sqrt(real(x)), 0), true
		}
		return cmplx.Sqrt(x), true
	case "abs":
		return complex(cmplx.Abs(x), 0), true
	case "floor":
		return complex(math.Floor(real(x)), 0), imag(x) == 0
	case "ceil":
		return complex(math.Ceil(real(x)), 0), imag(x) == 0
	case "fact":
		if imag(x) != 0 || real(x) < 0 || real(x) > 170 {
			return nan, false
		}
		return complex(math.Gamma(real(x)+1), 0), true
	case "binom":
		if len(args) != 2 {
			return nan, false
		}
		a, b := real(x), real(args[1])
		lg := func(v float64) float64 { r, _ := math.Lgamma(v + 1); return r }
		return complex(math.Round(math.Exp(lg(a)-lg(b)-lg(a-b))), 0), true
	case "max", "min":
		best := real(args[0])
		for _, a := range args[1:] {
			if n.name == "max" && real(a) > best || n.name == "min" && real(a) < best {
				best = real(a)
			}
		}
		return complex(best, 0), true
	}
	return nan, false
}

// hasDeg reports whether n contains a degree sign (outside nested functions).
func hasDeg(n *node) bool {
	if n.k == kFunc && n.name == "deg" {
		return true
	}
	if n.k == kFunc {
		return false
	}
	for _, k := range n.kids {
		if hasDeg(k) {
			return true
		}
	}
	return false
}

// radians rewrites every v° in n (outside nested functions) as v·π/180.
func radians(n *node) *node {
	if n.k == kFunc && n.name == "deg" {
		return mk(kMul, n.kids[0], mk(kDiv, sym("pi"), num(big.NewRat(180, 1))))
	}
	if n.k == kFunc || len(n.kids) == 0 {
		return n
	}
	cp := *n
	cp.kids = make([]*node, len(n.kids))
	for i, k := range n.kids {
		cp.kids[i] = radians(k)
	}
	return &cp
}

func isTrig(name string) bool {
	switch name {
	case "sin", "cos", "tan", "sec", "csc", "cot":
		return true
	}
	return false
}

// symbols collects the free variable names of n (constants excluded).
func symbols(n *node, out map[string]bool) {
	if n == nil {
		return
	}
	if n.k == kSym {
		switch n.name {
		case "pi", "e", "i", "inf", "...":
		default:
			out[n.name] = true
		}
	}
	for _, c := range n.kids {
		symbols(c, out)
	}
}
