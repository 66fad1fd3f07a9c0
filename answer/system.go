package answer

// Systems of solutions: "p = 5, q = 2 and p = 7, q = 2", "p=5,q=2;p=7,q=2" and
// "(p, q) = (5, 2), (7, 2)" are the same set of two solutions.

// solution maps variable names to values.
type solution map[string]*node

// solutions reads a list of assignments as solutions: ';' groups are solutions, a repeated name
// starts a new one, a tuple assignment (p, q) = (5, 2) is one, and a bare tuple after it is
// another for the same names. ok is false unless every item is an assignment to a plain name.
func solutions(n *node) ([]solution, bool) {
	if n.k != kList {
		return nil, false
	}
	var out []solution
	cur := solution{}
	var names []string
	count := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, cur)
			cur = solution{}
		}
	}
	for _, it := range n.kids {
		switch {
		case it.k == kList:
			sub, ok := solutions(it)
			if !ok || len(sub) != 1 {
				return nil, false
			}
			flush()
			out = append(out, sub[0])
			count += len(sub[0])
		case it.k == kRel && len(it.ops) == 1 && it.ops[0] == "=":
			l, r := it.kids[0], it.kids[1]
			switch {
			case plainName(l):
				if _, dup := cur[l.name]; dup {
					flush()
				}
				cur[l.name] = r
				count++
			case l.k == kBracket && r.k == kBracket && len(l.kids) == len(r.kids):
				flush()
				names = names[:0]
				for i, k := range l.kids {
					if !plainName(k) {
						return nil, false
					}
					names = append(names, k.name)
					cur[k.name] = r.kids[i]
				}
				count += len(names)
				flush()
			default:
				return nil, false
			}
		case it.k == kBracket && len(names) == len(it.kids) && len(names) > 0:
			flush()
			for i, name := range names {
				cur[name] = it.kids[i]
			}
			count += len(names)
			flush()
		default:
			return nil, false
		}
	}
	flush()
	return out, count >= 2
}

// plainName reports whether n is a variable name (not a constant).
func plainName(n *node) bool {
	return n.k == kSym && n.name != "pi" && n.name != "e" && n.name != "i" && n.name != "inf"
}

// solutionsEq compares two sets of solutions, order-free.
func (c *cmp) solutionsEq(a, b []solution) bool {
	return c.solutionsCover(a, b) && c.solutionsCover(b, a)
}

func (c *cmp) solutionsCover(a, b []solution) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if c.sameSolution(x, y) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (c *cmp) sameSolution(x, y solution) bool {
	if len(x) != len(y) {
		return false
	}
	for name, v := range x {
		w, ok := y[name]
		if !ok || !c.eq(v, w) {
			return false
		}
	}
	return true
}

// dependentName reports whether the left side l of l = r names a function of r's variables:
// y, or an application f(x) of a function name to variables.
func dependentName(l *node) bool {
	if l.k == kSym {
		return l.name == "y"
	}
	if l.k != kFunc || len(l.name) < 4 || l.name[:3] != "fn:" {
		return false
	}
	for _, k := range l.kids {
		if !plainName(k) {
			return false
		}
	}
	return true
}
