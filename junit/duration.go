package junit

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// parseDuration reads a "time" attribute leniently. Seconds as a decimal
// number are the norm; "1,234.5" has a thousands separator, while a lone
// comma ("0,250") is a decimal comma; Go duration strings ("1.5s") are
// accepted too. Anything else, negative or absurdly large, is 0.
func parseDuration(s string) time.Duration {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	num := s
	if strings.IndexByte(s, ',') >= 0 {
		switch {
		case strings.IndexByte(s, '.') >= 0 || strings.Count(s, ",") > 1:
			num = strings.ReplaceAll(s, ",", "")
		default:
			num = strings.Replace(s, ",", ".", 1)
		}
	}
	if f, err := strconv.ParseFloat(num, 64); err == nil {
		if math.IsNaN(f) || f < 0 || f > 1e9 {
			return 0
		}
		return time.Duration(math.Round(f * float64(time.Second)))
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d
	}
	return 0
}
