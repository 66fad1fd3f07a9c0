package stats

import "math"

// Concordance is Harrell's C of a risk score against right-censored survival, as coxph reports it
// (higher score, shorter survival).
type Concordance struct {
	C          float64 // (concordant + tied_x/2) / (concordant + discordant + tied_x)
	SE         float64 // infinitesimal-jackknife standard error
	Concordant int     // comparable pairs ordered as the score predicts
	Discordant int     // comparable pairs ordered against it
	TiedX      int     // comparable pairs with equal scores
	TiedY      int     // pairs of events at the same time with different scores (not comparable)
	TiedXY     int     // pairs of events at the same time with equal scores
}

// HarrellC computes the concordance of score with (time, status). A pair is comparable when the
// earlier time is an event (a censoring at the same time counts as later).
func HarrellC(time []float64, status []int, score []float64) Concordance {
	n := len(time)
	var c Concordance
	// per-observation pair counts for the influence of each weight on C
	ci := make([]float64, n)
	di := make([]float64, n)
	ti := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := i, j // a: the earlier
			if time[b] < time[a] || (time[b] == time[a] && status[b] > status[a]) {
				a, b = b, a
			}
			if status[a] == 0 {
				continue
			}
			if time[a] == time[b] && status[b] == 1 {
				if score[a] == score[b] {
					c.TiedXY++
				} else {
					c.TiedY++
				}
				continue
			}
			switch {
			case score[a] > score[b]:
				c.Concordant++
				ci[a]++
				ci[b]++
			case score[a] < score[b]:
				c.Discordant++
				di[a]++
				di[b]++
			default:
				c.TiedX++
				ti[a]++
				ti[b]++
			}
		}
	}
	npair := float64(c.Concordant + c.Discordant + c.TiedX)
	num := float64(c.Concordant) + float64(c.TiedX)/2
	c.C = num / npair
	v := 0.0
	for i := 0; i < n; i++ {
		dnum := ci[i] + ti[i]/2
		dden := ci[i] + di[i] + ti[i]
		g := (dnum*npair - num*dden) / (npair * npair)
		v += g * g
	}
	c.SE = math.Sqrt(v)
	return c
}
