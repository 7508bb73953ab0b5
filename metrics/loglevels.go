package metrics

import (
	"log/slog"
	"strings"
)

// LogLevels counts log records by level into the counter vector
// log_records_total{level}. It implements logging.LevelCounter; obtain it
// with [Registry.LogLevels], and logging.New(client,
// logging.WithLevelCounter(levels)) feeds it without either package
// importing the other, so an alert rule can watch the ERROR rate. CountLevel is safe for concurrent use and allocates nothing
// for the four standard levels.
type LogLevels struct {
	vec *CounterVec
	std [4]*Counter // DEBUG, INFO, WARN, ERROR
}

// LogLevels returns the registry's log level counter, registering
// log_records_total{level} on first use. It fails only when that name is
// taken by another definition.
func (r *Registry) LogLevels() (*LogLevels, error) {
	vec, err := r.CounterVec(Desc{Name: "log_records_total", Help: "Log records written, by level.", Labels: []string{"level"}})
	if err != nil {
		return nil, err
	}
	l := &LogLevels{vec: vec}
	for i, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		l.std[i] = vec.With(levelName(lv))
	}
	return l, nil
}

// CountLevel counts one record of the given level. Levels between the
// standard ones are named as slog names them ("INFO+2").
func (l *LogLevels) CountLevel(level slog.Level) {
	switch level {
	case slog.LevelDebug:
		l.std[0].Inc()
	case slog.LevelInfo:
		l.std[1].Inc()
	case slog.LevelWarn:
		l.std[2].Inc()
	case slog.LevelError:
		l.std[3].Inc()
	default:
		l.vec.With(levelName(level)).Inc()
	}
}

// levelName is slog's name for the level, in upper case as the log
// schema writes it.
func levelName(l slog.Level) string { return strings.ToUpper(l.String()) }
