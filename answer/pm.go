package answer

// ± expands to the set of its values.

func hasPM(n *node) bool {
	if n == nil {
		return false
	}
	if n.k == kPM {
		return true
	}
	if n.k == kList || n.k == kSet {
		return false // handled per member
	}
	for _, k := range n.kids {
		if hasPM(k) {
			return true
		}
	}
	return false
}

// expandPM returns the values of an expression with ± signs (at most 16).
func expandPM(n *node) []*node {
	if !hasPM(n) {
		return []*node{n}
	}
	if n.k == kPM {
		var out []*node
		for _, b := range expandPM(n.kids[1]) {
			if n.kids[0] == nil {
				out = append(out, b, mk(kNeg, b))
				continue
			}
			for _, a := range expandPM(n.kids[0]) {
				out = append(out, flat(kAdd, a, b), flat(kAdd, a, mk(kNeg, b)))
			}
		}
		return capN(out)
	}
	outs := []*node{{k: n.k, val: n.val, dec: n.dec, name: n.name, ops: n.ops, open: n.open, close: n.close, cols: n.cols}}
	for _, k := range n.kids {
		alts := expandPM(k)
		var next []*node
		for _, o := range outs {
			for _, a := range alts {
				cp := *o
				cp.kids = append(append([]*node{}, o.kids...), a)
				next = append(next, &cp)
			}
		}
		outs = capN(next)
	}
	return outs
}

func capN(n []*node) []*node {
	if len(n) > 16 {
		return n[:16]
	}
	return n
}
