package stats

import "math"

// partialLik evaluates Cox's log partial likelihood, its score and information for a fixed data
// set, visiting distinct times from the latest so each risk-set sum is accumulated once.
type partialLik struct {
	time   []float64
	status []int
	x      [][]float64 // [covariate][observation], centred
	ties   Ties
	desc   []int // observations ordered by descending time
}

func newPartialLik(time []float64, status []int, x [][]float64, ties Ties) *partialLik {
	asc := sortedIdx(time)
	desc := make([]int, len(asc))
	for i, v := range asc {
		desc[len(asc)-1-i] = v
	}
	return &partialLik{time: time, status: status, x: x, ties: ties, desc: desc}
}

// eval returns the log partial likelihood, score vector and information matrix at beta.
func (pl *partialLik) eval(beta []float64) (ll float64, u []float64, imat [][]float64) {
	p := len(beta)
	u = make([]float64, p)
	imat = grid(p, p)
	s0 := 0.0
	s1 := make([]float64, p)
	s2 := grid(p, p)
	xi := make([]float64, p)
	for i := 0; i < len(pl.desc); {
		t := pl.time[pl.desc[i]]
		// Deaths at t and their sums.
		d := 0.0
		d0 := 0.0
		d1 := make([]float64, p)
		d2 := grid(p, p)
		j := i
		for ; j < len(pl.desc) && pl.time[pl.desc[j]] == t; j++ {
			o := pl.desc[j]
			eta := 0.0
			for a := 0; a < p; a++ {
				xi[a] = pl.x[a][o]
				eta += beta[a] * xi[a]
			}
			r := math.Exp(eta)
			s0 += r
			for a := 0; a < p; a++ {
				s1[a] += r * xi[a]
				for b := 0; b < p; b++ {
					s2[a][b] += r * xi[a] * xi[b]
				}
			}
			if pl.status[o] == 1 {
				d++
				d0 += r
				ll += eta
				for a := 0; a < p; a++ {
					u[a] += xi[a]
					d1[a] += r * xi[a]
					for b := 0; b < p; b++ {
						d2[a][b] += r * xi[a] * xi[b]
					}
				}
			}
		}
		i = j
		if d == 0 {
			continue
		}
		if pl.ties == Breslow || d == 1 {
			ll -= d * math.Log(s0)
			for a := 0; a < p; a++ {
				u[a] -= d * s1[a] / s0
				for b := 0; b < p; b++ {
					imat[a][b] += d * (s2[a][b]/s0 - s1[a]*s1[b]/(s0*s0))
				}
			}
			continue
		}
		for k := 0.0; k < d; k++ {
			f := k / d
			e0 := s0 - f*d0
			ll -= math.Log(e0)
			for a := 0; a < p; a++ {
				e1a := s1[a] - f*d1[a]
				u[a] -= e1a / e0
				for b := 0; b < p; b++ {
					e1b := s1[b] - f*d1[b]
					e2 := s2[a][b] - f*d2[a][b]
					imat[a][b] += e2/e0 - e1a*e1b/(e0*e0)
				}
			}
		}
	}
	return ll, u, imat
}
