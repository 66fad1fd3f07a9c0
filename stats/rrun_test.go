package stats

import (
	"encoding/json"
	"fmt"
	"math"
)

// runRCase runs the Go routine behind one R case and returns its results under R's field names.
func runRCase(c rCase) (map[string]any, error) {
	p := params(c)
	switch c.Routine {
	case "t_test_welch", "t_test_student":
		r, err := TTest(nums(c, "x"), nums(c, "y"), p["var_equal"] == true)
		if err != nil {
			return nil, err
		}
		return map[string]any{"t": r.T, "df": r.DF, "p_value": r.P, "p_less": r.PLess, "p_greater": r.PGreater,
			"conf_int": r.CI, "mean_x": r.MeanX, "mean_y": r.MeanY, "stderr": r.StdErr, "warnings": []any{}}, nil
	case "wilcox_test":
		r, err := Wilcoxon(nums(c, "x"), nums(c, "y"), p["exact"] == true, p["correct"] == true)
		if err != nil {
			return nil, err
		}
		return map[string]any{"W": r.W, "p_value": r.P, "p_less": r.PLess, "p_greater": r.PGreater,
			"method": r.Method, "warnings": warnings(r.Warnings)}, nil
	case "kruskal_test":
		r, err := Kruskal(nums(c, "x"), labels(c, "g"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"H": r.H, "df": r.DF, "p_value": r.P, "warnings": []any{}}, nil
	case "cor_pearson":
		r, err := Pearson(nums(c, "x"), nums(c, "y"))
		if err != nil {
			return nil, err
		}
		return map[string]any{"r": r.R, "t": r.T, "df": r.DF, "p_value": r.P, "conf_int": r.CI, "warnings": warnings(r.Warnings)}, nil
	case "cor_spearman":
		r, err := Spearman(nums(c, "x"), nums(c, "y"), p["exact"] == true)
		if err != nil {
			return nil, err
		}
		return map[string]any{"rho": r.Rho, "S": r.S, "p_value": r.P, "method": r.Method, "warnings": warnings(r.Warnings)}, nil
	case "chisq_test":
		r, err := ChisqTest(table(c), p["correct"] == true)
		if err != nil {
			return nil, err
		}
		return map[string]any{"statistic": r.Statistic, "df": r.DF, "p_value": r.P, "method": r.Method,
			"expected_counts": r.Expected, "residuals": r.Residuals, "stdres": r.StdRes, "warnings": warnings(r.Warnings)}, nil
	case "fisher_test":
		r, err := FisherTest(table(c))
		if err != nil {
			return nil, err
		}
		return map[string]any{"p_value": r.P, "odds_ratio": r.OddsRatio, "conf_int": r.CI, "p_less": r.PLess,
			"p_greater": r.PGreater, "warnings": []any{}}, nil
	case "p_adjust":
		q, err := PAdjust(nums(c, "p"), p["method"].(string))
		if err != nil {
			return nil, err
		}
		return map[string]any{"adjusted": q, "warnings": []any{}}, nil
	case "phyper_ora":
		return runORA(c)
	case "lm_ols":
		return runLM(c, p)
	case "km_survfit":
		return runKM(c, p)
	case "logrank_survdiff":
		g := p["group"].(string)
		rho, _ := p["rho"].(float64)
		r, err := LogRank(nums(c, "time"), ints(nums(c, "status")), labels(c, g), g, rho)
		if err != nil {
			return nil, err
		}
		return map[string]any{"chisq": r.Chisq, "df": r.DF, "p_value": r.P, "groups": r.Groups, "n": r.N,
			"obs": r.Obs, "exp": r.Exp, "var": r.Var, "warnings": []any{}}, nil
	case "coxph":
		return runCox(c, p)
	}
	return nil, fmt.Errorf("no Go routine for R routine %q", c.Routine)
}

func table(c rCase) [][]float64 {
	var t [][]float64
	if err := json.Unmarshal(c.Input["table"], &t); err != nil {
		panic(err)
	}
	return t
}

func runORA(c rCase) (map[string]any, error) {
	if _, ok := c.Input["universe"]; ok {
		var sets map[string][]string
		if err := json.Unmarshal(c.Input["sets"], &sets); err != nil {
			return nil, err
		}
		N, n, res, err := GeneSetORA(labels(c, "universe"), labels(c, "selected"), sets)
		if err != nil {
			return nil, err
		}
		var names []string
		var K, k []int
		var ps, qs []float64
		for _, r := range res {
			names, K, k = append(names, r.Name), append(K, r.K), append(k, r.Hits)
			ps, qs = append(ps, r.P), append(qs, r.Q)
		}
		return map[string]any{"N": N, "n": n, "set_names": names, "K": K, "k": k, "p_value": ps, "q_value_bh": qs, "warnings": []any{}}, nil
	}
	one := func(k string) int {
		return int(nums(rCase{Input: map[string]json.RawMessage{"v": wrap(c.Input[k])}}, "v")[0])
	}
	r, err := Hypergeometric(one("N"), one("K"), one("n"), one("k"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"p_value": r.P, "p_lower": r.PLower, "expected_overlap": r.ExpectedOverlap,
		"fold_enrichment": r.FoldEnrichment, "warnings": []any{}}, nil
}

// wrap turns a scalar JSON value into a one-element array (arrays pass through).
func wrap(m json.RawMessage) json.RawMessage {
	if len(m) > 0 && m[0] == '[' {
		return m
	}
	return json.RawMessage("[" + string(m) + "]")
}

func runLM(c rCase, p map[string]any) (map[string]any, error) {
	data := map[string]Column{}
	for k, raw := range c.Input {
		var probe []any
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, err
		}
		if _, isStr := probe[0].(string); isStr {
			data[k] = Column{Str: labels(c, k)}
		} else {
			data[k] = Column{Num: nums(c, k)}
		}
	}
	r, err := OLS(p["formula"].(string), data)
	if err != nil {
		return nil, err
	}
	return map[string]any{"coef_names": r.Names, "estimate": r.Estimate, "std_error": r.StdError, "t_value": r.T,
		"p_value": r.P, "aliased": r.Aliased, "sigma": r.Sigma, "df_residual": r.DFResid, "r_squared": r.RSquared,
		"adj_r_squared": r.AdjRSq, "f_statistic": r.F, "f_numdf": r.FNumDF, "f_dendf": r.FDenDF, "f_p_value": r.FP,
		"model_matrix_columns": r.Columns, "model_matrix": r.Design, "warnings": []any{}}, nil
}

func runKM(c rCase, p map[string]any) (map[string]any, error) {
	var g []string
	name, _ := p["group"].(string)
	if name != "" {
		g = labels(c, name)
	}
	curves, err := KaplanMeier(nums(c, "time"), ints(nums(c, "status")), g, name)
	if err != nil {
		return nil, err
	}
	var strata []any
	for _, cv := range curves {
		ev := map[string]any{}
		all := map[string]any{}
		var et, er, ee, es, ese, esl, elo, ehi []float64
		for _, s := range cv.EventSteps() {
			et, er, ee = append(et, s.Time), append(er, float64(s.NRisk)), append(ee, float64(s.NEvent))
			es, ese, esl = append(es, s.Surv), append(ese, s.StdErr), append(esl, s.SELog)
			elo, ehi = append(elo, s.Lower95), append(ehi, s.Upper95)
		}
		ev["time"], ev["n_risk"], ev["n_event"], ev["surv"] = et, er, ee, es
		ev["std_err"], ev["std_err_log"], ev["lower95"], ev["upper95"] = ese, esl, elo, ehi
		var at, ar, ae, ac, as, asl []float64
		for _, s := range cv.Steps {
			at, ar, ae, ac = append(at, s.Time), append(ar, float64(s.NRisk)), append(ae, float64(s.NEvent)), append(ac, float64(s.NCensor))
			as, asl = append(as, s.Surv), append(asl, s.SELog)
		}
		all["time"], all["n_risk"], all["n_event"], all["n_censor"], all["surv"], all["std_err_log"] = at, ar, ae, ac, as, asl
		strata = append(strata, map[string]any{"stratum": cv.Stratum, "n": cv.N, "events": cv.Events,
			"median": cv.Median, "median_lcl95": cv.MedianLo, "median_ucl95": cv.MedianHi,
			"event_times": ev, "all_times": all})
	}
	return map[string]any{"conf_type": "log", "strata": strata, "warnings": []any{}}, nil
}

func runCox(c rCase, p map[string]any) (map[string]any, error) {
	var names []string
	var x [][]float64
	for _, v := range p["covariates"].([]any) {
		names = append(names, v.(string))
		x = append(x, nums(c, v.(string)))
	}
	r, err := CoxPH(nums(c, "time"), ints(nums(c, "status")), x, names, CoxOptions{Ties: Ties(p["ties"].(string))})
	if err != nil {
		return nil, err
	}
	test := func(t ChiTest) map[string]any {
		return map[string]any{"statistic": t.Statistic, "df": t.DF, "p_value": t.P}
	}
	wald := test(r.Wald)
	wald["statistic"] = math.Round(r.Wald.Statistic*100) / 100 // summary.coxph rounds the Wald statistic
	cc := r.Concordance
	return map[string]any{"coef_names": r.Names, "coef": r.Coef, "se": r.SE, "hr": r.HR, "z": r.Z, "p_value": r.P,
		"hr_lower95": r.HRLower, "hr_upper95": r.HRUpper, "loglik_null": r.LogLikNull, "loglik": r.LogLik,
		"lr_test": test(r.LR), "wald_test": wald, "score_test": test(r.Score), "concordance": cc.C,
		"concordance_se": cc.SE, "concordance_counts": map[string]any{"concordant": float64(cc.Concordant),
			"discordant": float64(cc.Discordant), "tied_x": float64(cc.TiedX), "tied_y": float64(cc.TiedY), "tied_xy": float64(cc.TiedXY)},
		"n": r.N, "nevent": r.NEvent, "iter": r.Iter, "var": r.Var, "warnings": []any{}}, nil
}
