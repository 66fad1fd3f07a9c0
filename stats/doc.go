// Package stats holds the statistical tests and survival models that PROTEUS runs, each matched to
// R (stats 4.2.2, survival 3.5-3) on the reference cases in ../shared/testdata/stats:
//
//	go test ./stats/                                   # every shipped R case
//	ASCENT_STATS_CASES=/other/cases go test ./stats/   # another directory in the same schema
//
// Two-sample tests (Welch and Student t, Mann–Whitney U), Kruskal–Wallis, Pearson and Spearman
// correlation, χ² and Fisher's exact test, p-value adjustment (BH, BY, Holm, Bonferroni), OLS with
// covariates, Kaplan–Meier, the log-rank test, Cox proportional hazards (Breslow and Efron ties) and
// hypergeometric over-representation. Distributions, special functions and linear algebra come from
// gonum; what gonum lacks (the tests themselves, R's exact null distributions, Brent's root finder
// as R runs it) is written here.
//
// R's NA and NaN are both NaN here. A result carries R's warnings as strings, word for word, and an
// R error is a Go error with R's message.
//
// Every routine is also a [Tool] in a registry (see [Lookup]) so a planner can pick one by name.
package stats
