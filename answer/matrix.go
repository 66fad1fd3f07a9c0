package answer

// matValue reduces sums and products of matrices to one matrix of symbolic entries; it returns
// nil when n is not a matrix expression or the shapes do not fit.
func matValue(n *node) *node {
	switch n.k {
	case kMatrix:
		return n
	case kBracket:
		// a column vector written as a tuple
		if n.open == '(' && n.close == ')' {
			return &node{k: kMatrix, cols: 1, kids: n.kids}
		}
	case kAdd:
		acc := matValue(n.kids[0])
		for _, k := range n.kids[1:] {
			m := matValue(k)
			if acc == nil || m == nil || acc.cols != m.cols || len(acc.kids) != len(m.kids) {
				return nil
			}
			out := &node{k: kMatrix, cols: acc.cols, kids: make([]*node, len(acc.kids))}
			for i := range acc.kids {
				out.kids[i] = flat(kAdd, acc.kids[i], m.kids[i])
			}
			acc = out
		}
		return acc
	case kMul:
		var acc *node
		var scalars []*node
		for _, k := range n.kids {
			if k.k != kMatrix && k.k != kAdd {
				scalars = append(scalars, k)
				continue
			}
			m := matValue(k)
			if m == nil {
				return nil
			}
			if acc == nil {
				acc = m
				continue
			}
			acc = matMul(acc, m)
			if acc == nil {
				return nil
			}
		}
		if acc == nil {
			return nil
		}
		for _, s := range scalars {
			out := &node{k: kMatrix, cols: acc.cols, kids: make([]*node, len(acc.kids))}
			for i := range acc.kids {
				out.kids[i] = flat(kMul, s, acc.kids[i])
			}
			acc = out
		}
		return acc
	}
	return nil
}

func matMul(a, b *node) *node {
	ar, ac := len(a.kids)/a.cols, a.cols
	br, bc := len(b.kids)/b.cols, b.cols
	if ac != br || ar*bc > 400 {
		return nil
	}
	out := &node{k: kMatrix, cols: bc, kids: make([]*node, ar*bc)}
	for i := 0; i < ar; i++ {
		for j := 0; j < bc; j++ {
			sum := &node{k: kAdd}
			for k := 0; k < ac; k++ {
				sum.kids = append(sum.kids, flat(kMul, a.kids[i*ac+k], b.kids[k*bc+j]))
			}
			out.kids[i*bc+j] = sum
		}
	}
	return out
}
