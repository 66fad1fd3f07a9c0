package track

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// EntropyFit is the entropy–performance law R = −a·e^H + b fitted to a run (arXiv 2505.22617
// §"empirical law"; spec/algorithms.md §4.1). For fixed form the law is linear in (a, b) with
// X = e^H: R = −a·X + b, so the fit is exact ordinary least squares on the design [−X, 1].
type EntropyFit struct {
	// A and B are the law's coefficients.
	A float64 `json:"a"`
	B float64 `json:"b"`
	// R2 is the coefficient of determination of the fit on its points.
	R2 float64 `json:"r2"`
	// Ceiling is the predicted performance when entropy is exhausted: R(H=0) = b − a.
	Ceiling float64 `json:"ceiling"`
	// N is the number of (entropy, performance) points fitted.
	N int `json:"n"`
	// Metric is the performance metric fitted (val/accuracy, reward/accuracy or critic/score/mean).
	Metric string `json:"metric"`
	// H and R are the fitted points (entropy, performance), in step order.
	H []float64 `json:"h"`
	R []float64 `json:"r"`
}

// LawR evaluates R = −a·e^H + b.
func LawR(a, b, h float64) float64 { return -a*math.Exp(h) + b }

// Predict evaluates the fitted law at entropy h.
func (f EntropyFit) Predict(h float64) float64 { return LawR(f.A, f.B, h) }

// FitEntropyLaw fits R = −a·e^H + b to the points (h[i], r[i]) by linear least squares
// (QR via gonum). It needs at least 2 points with distinct finite entropies.
func FitEntropyLaw(h, r []float64) (EntropyFit, error) {
	if len(h) != len(r) {
		return EntropyFit{}, fmt.Errorf("entropy law fit: %d entropies but %d performances", len(h), len(r))
	}
	var hs, rs []float64
	for i := range h {
		if isFinite(h[i]) && isFinite(r[i]) {
			hs, rs = append(hs, h[i]), append(rs, r[i])
		}
	}
	n := len(hs)
	if n < 2 {
		return EntropyFit{}, fmt.Errorf("entropy law fit: %d finite points, need at least 2", n)
	}
	design := mat.NewDense(n, 2, nil) // [n, 2] columns (−e^H, 1)
	y := mat.NewVecDense(n, rs)       // [n]
	distinct := false
	for i, hv := range hs {
		design.Set(i, 0, -math.Exp(hv))
		design.Set(i, 1, 1)
		distinct = distinct || hv != hs[0]
	}
	if !distinct {
		return EntropyFit{}, errors.New("entropy law fit: all entropies are equal, the law is not identifiable")
	}
	var qr mat.QR
	qr.Factorize(design)
	var coef mat.VecDense
	if err := qr.SolveVecTo(&coef, false, y); err != nil {
		return EntropyFit{}, fmt.Errorf("entropy law fit: %w", err)
	}
	fit := EntropyFit{A: coef.AtVec(0), B: coef.AtVec(1), N: n, H: hs, R: rs}
	fit.Ceiling = fit.B - fit.A
	fit.R2 = rSquared(fit, hs, rs)
	return fit, nil
}

// FitEntropyLawReference is the closed-form normal-equations fit of the same model, kept as the
// obviously-correct reference for FitEntropyLaw.
func FitEntropyLawReference(h, r []float64) (a, b float64) {
	// R = c·X + b with X = e^H, c = −a: c = cov(X,R)/var(X), b = mean(R) − c·mean(X).
	var mx, mr float64
	for i := range h {
		mx += math.Exp(h[i])
		mr += r[i]
	}
	n := float64(len(h))
	mx, mr = mx/n, mr/n
	var sxy, sxx float64
	for i := range h {
		dx := math.Exp(h[i]) - mx
		sxy += dx * (r[i] - mr)
		sxx += dx * dx
	}
	c := sxy / sxx
	return -c, mr - c*mx
}

// rSquared is 1 − SS_res/SS_tot (1 when the points are all equal and fitted exactly).
func rSquared(f EntropyFit, h, r []float64) float64 {
	var mean float64
	for _, v := range r {
		mean += v
	}
	mean /= float64(len(r))
	var res, tot float64
	for i := range h {
		d := r[i] - f.Predict(h[i])
		res += d * d
		t := r[i] - mean
		tot += t * t
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// FitRunEntropyLaw fits the law on a run's metrics: entropy is actor/entropy; performance is
// the first of val/accuracy, reward/accuracy (training accuracy) and critic/score/mean (training
// reward) that at least 3 steps have together with the entropy.
func FitRunEntropyLaw(rows []Row) (EntropyFit, error) {
	var firstErr error
	for _, metric := range []string{MetricValAccuracy, MetricAccuracy, MetricScoreMean} {
		var h, r []float64
		for _, row := range rows {
			hv, ok1 := row.Values[MetricEntropy]
			rv, ok2 := row.Values[metric]
			if ok1 && ok2 && isFinite(hv) && isFinite(rv) {
				h, r = append(h, hv), append(r, rv)
			}
		}
		if len(h) < 3 {
			if firstErr == nil {
				firstErr = fmt.Errorf("entropy law fit: %d steps have both %s and %s, need 3", len(h), MetricEntropy, metric)
			}
			continue
		}
		fit, err := FitEntropyLaw(h, r)
		if err != nil {
			return EntropyFit{}, err
		}
		fit.Metric = metric
		return fit, nil
	}
	return EntropyFit{}, firstErr
}
