package answer

import "strings"

// The lexer's vocabularies: which names are functions, Greek letters, ignorable or wrapping
// commands, text commands, relations and operators.

// funcNames are the function names recognised with or without a backslash.
var funcNames = map[string]bool{
	"sin": true, "cos": true, "tan": true, "sec": true, "csc": true, "cot": true,
	"arcsin": true, "arccos": true, "arctan": true, "sinh": true, "cosh": true, "tanh": true,
	"log": true, "ln": true, "lg": true, "exp": true, "sqrt": true, "abs": true,
	"det": true, "gcd": true, "lcm": true, "max": true, "min": true, "floor": true, "ceil": true,
}

// greek are the Greek letter commands read as variables.
var greek = map[string]bool{
	"alpha": true, "beta": true, "gamma": true, "delta": true, "epsilon": true, "varepsilon": true,
	"zeta": true, "eta": true, "theta": true, "vartheta": true, "iota": true, "kappa": true,
	"lambda": true, "mu": true, "nu": true, "xi": true, "rho": true, "sigma": true, "tau": true,
	"upsilon": true, "phi": true, "varphi": true, "chi": true, "psi": true, "omega": true,
	"Gamma": true, "Delta": true, "Theta": true, "Lambda": true, "Xi": true, "Pi": true,
	"Sigma": true, "Phi": true, "Psi": true, "Omega": true, "ell": true, "hbar": true,
}

// skipCmds are LaTeX commands with no mathematical meaning here (spacing, sizing, decoration).
var skipCmds = map[string]bool{
	"left": true, "right": true, "big": true, "Big": true, "bigg": true, "Bigg": true,
	"bigl": true, "bigr": true, "Bigl": true, "Bigr": true, "biggl": true, "biggr": true,
	"displaystyle": true, "textstyle": true, "limits": true, "quad": true, "qquad": true,
	"circ": true, "degree": true, "angle": true, "triangle": true, "measuredangle": true,
	"mathstrut": true, "strut": true, "hline": true, "nonumber": true, "notag": true,
	"cline": true, "phantom": true, "boxed": true, "fbox": true, "therefore": true,
}

// transparentCmds wrap their argument without changing its meaning: \mathbf{x} is x.
var transparentCmds = map[string]bool{
	"mathrm": true, "mathbf": true, "mathit": true, "mathsf": true, "mathbb": true, "mathcal": true,
	"boldsymbol": true, "bm": true, "operatorname": true, "overline": true, "vec": true, "hat": true,
	"bar": true, "tilde": true, "ddot": true, "mathfrak": true, "check": true, "breve": true,
	"acute": true, "grave": true, "underbrace": true, "overbrace": true, "widetilde": true, "overrightarrow": true, "widehat": true, "underline": true,
	"mathop": true, "rm": true, "bf": true, "it": true, "mathscr": true, "dot": true,
}

var textCmds = map[string]bool{
	"text": true, "textbf": true, "textit": true, "textnormal": true, "mbox": true, "textrm": true,
	"texttt": true, "textsf": true, "hbox": true, "emph": true,
}

var relCmds = map[string]string{
	"le": "<=", "leq": "<=", "leqslant": "<=", "ge": ">=", "geq": ">=", "geqslant": ">=",
	"ne": "!=", "neq": "!=", "lt": "<", "gt": ">", "approx": "≈", "simeq": "≈", "sim": "≈",
	"in": "in", "equiv": "=", "coloneqq": "=", "mid": "|", "pmod": "mod", "bmod": "mod",
	"mod": "mod", "subset": "subset", "subseteq": "subseteq", "to": "to", "rightarrow": "to",
}

var opCmds = map[string]string{
	"cdot": "*", "times": "*", "ast": "*", "div": "/", "pm": "±", "mp": "±", "cup": "U",
	"cap": "N", "colon": ":", "vert": "|", "lvert": "|", "rvert": "|",
	"lbrace": "\\{", "rbrace": "\\}", "langle": "(", "rangle": ")", "lbrack": "[", "rbrack": "]",
	"lparen": "(", "rparen": ")",
}

// knownCmd reports whether \name means something to the lexer; used to undo doubled backslashes.
func knownCmd(name string) bool {
	if funcNames[name] || greek[name] || skipCmds[name] || transparentCmds[name] || textCmds[name] {
		return true
	}
	if _, ok := relCmds[name]; ok {
		return true
	}
	if _, ok := opCmds[name]; ok {
		return true
	}
	switch name {
	case "frac", "dfrac", "tfrac", "cfrac", "sqrt", "binom", "dbinom", "tbinom", "pi", "infty",
		"begin", "end", "sum", "prod", "boxed", "emptyset", "varnothing", "neg", "lfloor", "rfloor",
		"lceil", "rceil", "dots", "ldots", "cdots":
		return true
	}
	return false
}

var unicodeRepl = strings.NewReplacer(
	"−", "-", "–", "-", "×", `\times `, "·", `\cdot `, "÷", "/", "≤", `\le `, "≥", `\ge `,
	"≠", `\ne `, "∞", `\infty `, "π", `\pi `, "√", `\sqrt `, "²", "^2", "³", "^3",
	"∪", `\cup `, "∩", `\cap `, "∈", `\in `, "±", `\pm `, "€", "", "£", "", "≈", `\approx `,
	"^{\\circ}", "°", "^\\circ", "°", "\\degree", "°", "{,}", "", ",\\!", "", "\\!", "", "\\dfrac", "\\frac",
	"\\tfrac", "\\frac", "\\cfrac", "\\frac", "\\%", "%", "\\$", "", "$", "", "\u00a0", " ",
	"\\left.", "", "\\right.", "", "\\\\", "\\\\", "\\ ", " ",
)
