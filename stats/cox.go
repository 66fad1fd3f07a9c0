package stats

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Ties names how Cox's partial likelihood handles tied event times.
type Ties string

const (
	// Breslow counts every death at a tied time against the full risk set.
	Breslow Ties = "breslow"
	// Efron removes the tied deaths from the risk set in equal fractions (R's default).
	Efron Ties = "efron"
)

// ChiTest is one χ² model test (likelihood ratio, Wald or score).
type ChiTest struct {
	Statistic float64 // the χ² statistic
	DF        float64 // its degrees of freedom
	P         float64 // upper-tail p-value
}

// CoxResult is R's coxph(Surv(time, status) ~ covariates, ties) with summary.coxph's tests.
type CoxResult struct {
	Names       []string    // covariate names
	Coef        []float64   // log hazard ratios
	SE          []float64   // model-based standard errors
	HR          []float64   // hazard ratios exp(coef)
	HRLower     []float64   // 95% lower limits exp(coef − 1.959964·se)
	HRUpper     []float64   // 95% upper limits
	Z           []float64   // Wald z = coef/se
	P           []float64   // two-sided p from z
	LogLikNull  float64     // log partial likelihood at β = 0
	LogLik      float64     // log partial likelihood at the estimate
	LR          ChiTest     // likelihood-ratio test
	Wald        ChiTest     // Wald test (unrounded; summary.coxph prints it rounded to 2 decimals)
	Score       ChiTest     // score (log-rank) test at β = 0
	Concordance Concordance // Harrell's C of the linear predictor
	N           int         // observations
	NEvent      int         // events
	Iter        int         // Newton–Raphson iterations, counted as coxph counts them
	Var         [][]float64 // inverse information at the estimate
}

// CoxOptions tunes the Newton–Raphson fit; zero values take coxph's defaults.
type CoxOptions struct {
	Ties    Ties    // tie handling (default Efron)
	MaxIter int     // iteration limit (default 20)
	Eps     float64 // relative log-likelihood convergence threshold (default 1e-9)
}

// CoxPH fits a Cox proportional-hazards model by Newton–Raphson with step halving, as survival's
// coxfit6. x holds one slice per covariate, all of len(time).
func CoxPH(time []float64, status []int, x [][]float64, names []string, opt CoxOptions) (CoxResult, error) {
	if err := checkSurv(time, status); err != nil {
		return CoxResult{}, err
	}
	if len(x) == 0 || len(x) != len(names) {
		return CoxResult{}, errors.New("coxph: need one name per covariate and at least one covariate")
	}
	for j, c := range x {
		if len(c) != len(time) {
			return CoxResult{}, fmt.Errorf("coxph: covariate %q has %d values for %d observations", names[j], len(c), len(time))
		}
		if hasNaN(c) {
			return CoxResult{}, fmt.Errorf("coxph: covariate %q has missing values", names[j])
		}
	}
	if opt.Ties == "" {
		opt.Ties = Efron
	}
	if opt.Ties != Efron && opt.Ties != Breslow {
		return CoxResult{}, fmt.Errorf("coxph: ties %q unknown; known: breslow, efron", opt.Ties)
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = 20
	}
	if opt.Eps == 0 {
		opt.Eps = 1e-9
	}
	p := len(x)
	nev := 0
	for _, s := range status {
		nev += s
	}
	if nev == 0 {
		return CoxResult{}, errors.New("coxph: no events")
	}
	// Centre covariates as coxph does (the estimates do not change; the sums stay well scaled).
	xc := make([][]float64, p)
	for j := range x {
		m := mean(x[j])
		xc[j] = make([]float64, len(time))
		for i, v := range x[j] {
			xc[j][i] = v - m
		}
	}
	pl := newPartialLik(time, status, xc, opt.Ties)
	beta := make([]float64, p)
	ll0, u, imat := pl.eval(beta)
	res := CoxResult{Names: names, N: len(time), NEvent: nev, LogLikNull: ll0}
	step, err := solveSym(imat, u)
	if err != nil {
		return res, fmt.Errorf("coxph: information matrix at beta = 0 is singular (a constant covariate?): %w", err)
	}
	res.Score = ChiTest{Statistic: dotv(u, step), DF: float64(p)}
	res.Score.P = pchisqUpper(res.Score.Statistic, res.Score.DF)
	newBeta := addv(beta, step)
	llPrev := ll0
	halving := false
	converged := false
	var ll float64
	iter := 0
	for iter = 1; iter <= opt.MaxIter; iter++ {
		ll, u, imat = pl.eval(newBeta)
		if math.Abs(1-llPrev/ll) <= opt.Eps && !halving {
			beta = newBeta
			converged = true
			break
		}
		if iter == opt.MaxIter {
			break
		}
		if ll < llPrev || math.IsNaN(ll) {
			halving = true
			for j := range newBeta {
				newBeta[j] = (newBeta[j] + beta[j]) / 2
			}
			continue
		}
		halving = false
		llPrev = ll
		beta = newBeta
		if step, err = solveSym(imat, u); err != nil {
			return res, fmt.Errorf("coxph: singular information at iteration %d: %w", iter, err)
		}
		newBeta = addv(beta, step)
	}
	if !converged {
		return res, fmt.Errorf("coxph: Newton-Raphson did not converge in %d iterations (an infinite coefficient?)", opt.MaxIter)
	}
	res.Iter = iter
	res.LogLik = ll
	v, err := invSym(imat)
	if err != nil {
		return res, fmt.Errorf("coxph: singular information at the estimate: %w", err)
	}
	res.Var = v
	z := qnorm(0.975)
	for j := 0; j < p; j++ {
		se := math.Sqrt(v[j][j])
		b := beta[j]
		res.Coef = append(res.Coef, b)
		res.SE = append(res.SE, se)
		res.HR = append(res.HR, math.Exp(b))
		res.HRLower = append(res.HRLower, math.Exp(b-z*se))
		res.HRUpper = append(res.HRUpper, math.Exp(b+z*se))
		res.Z = append(res.Z, b/se)
		res.P = append(res.P, 2*pnorm(-math.Abs(b/se), false))
	}
	res.LR = ChiTest{Statistic: 2 * (ll - ll0), DF: float64(p)}
	res.LR.P = pchisqUpper(res.LR.Statistic, res.LR.DF)
	// Wald: β' V⁻¹ β = β' I β.
	w := 0.0
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			w += beta[a] * imat[a][b] * beta[b]
		}
	}
	res.Wald = ChiTest{Statistic: w, DF: float64(p), P: pchisqUpper(w, float64(p))}
	lp := make([]float64, len(time))
	for i := range lp {
		for j := 0; j < p; j++ {
			lp[i] += beta[j] * x[j][i]
		}
	}
	res.Concordance = HarrellC(time, status, lp)
	return res, nil
}

// cholesky factorises the symmetric matrix a.
func cholesky(a [][]float64) (*mat.Cholesky, error) {
	n := len(a)
	A := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			A.SetSym(i, j, a[i][j])
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(A) {
		return nil, errors.New("matrix is not positive definite")
	}
	return &ch, nil
}

func solveSym(a [][]float64, b []float64) ([]float64, error) {
	ch, err := cholesky(a)
	if err != nil {
		return nil, err
	}
	var x mat.VecDense
	if err := ch.SolveVecTo(&x, mat.NewVecDense(len(b), append([]float64{}, b...))); err != nil {
		return nil, err
	}
	return x.RawVector().Data, nil
}

func invSym(a [][]float64) ([][]float64, error) {
	ch, err := cholesky(a)
	if err != nil {
		return nil, err
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, err
	}
	n := len(a)
	out := grid(n, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			out[i][j] = inv.At(i, j)
		}
	}
	return out, nil
}

func dotv(a, b []float64) float64 { return dot(a, b) }

func addv(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}
