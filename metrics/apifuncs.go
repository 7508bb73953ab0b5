package metrics

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"

	"github.com/o2kit/o2kit/internal/timeseries"
)

// plainFuncs are the window functions without parameters, by the name
// the query handler takes.
var plainFuncs = map[string]WindowFunc{
	"sum": Sum, "avg": Avg, "min": Min, "max": Max, "count": Count, "last": Last, "stddev": StdDev,
	"rate": Rate, "irate": IRate, "increase": Increase, "resets": Resets, "slope": Slope,
}

// windowFunc reads fn and its parameters.
func windowFunc(q url.Values) (WindowFunc, error) {
	num := func(k string, def float64) (float64, error) {
		v := q.Get(k)
		if v == "" {
			return def, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%s %q: want a finite number", k, v)
		}
		return f, nil
	}
	fn := q.Get("fn")
	if f, ok := plainFuncs[fn]; ok {
		return f, nil
	}
	switch fn {
	case "quantile":
		v, err := num("q", 0.5)
		if err == nil && (v < 0 || v > 1) {
			err = fmt.Errorf("q %v: want a quantile in [0, 1]", v)
		}
		return Quantile(v), err
	case "forecast":
		ahead, err := time.ParseDuration(q.Get("ahead"))
		if err != nil {
			return nil, fmt.Errorf("ahead %q: want a duration", q.Get("ahead"))
		}
		return Forecast(ahead), nil
	case "holt":
		a, err1 := num("alpha", 0.5)
		b, err2 := num("beta", 0.5)
		s, err3 := num("steps", 1)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, err
		}
		if _, err := timeseries.NewHolt(a, b); err != nil {
			return nil, fmt.Errorf("alpha %v, beta %v: want each in (0, 1]", a, b)
		}
		return HoltForecast(a, b, s), nil
	case "zscore":
		return AnomalyScore(ZScore{}), nil
	case "ewma":
		return AnomalyScore(EWMA{}), nil
	case "mad":
		return AnomalyScore(MAD{}), nil
	case "":
		return nil, errors.New("fn is required")
	default:
		return nil, fmt.Errorf("fn %q: want sum, avg, min, max, count, last, stddev, rate, irate, increase, resets, quantile, slope, forecast, holt, zscore, ewma or mad", fn)
	}
}
