package alerting

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"
)

// errors turns the decoding failures into RuleErrors, naming groups and
// rules as normalization left them.
func (d *rulefileDecoder) errors(groups []Group) []*RuleError {
	var out []*RuleError
	for _, f := range d.fails {
		e := &RuleError{File: d.file, Field: f.field, Err: f.err, Line: f.node.Line, Column: f.node.Column}
		if f.gi >= 0 && f.gi < len(groups) {
			e.Group = groups[f.gi].Name
			if f.ri >= 0 && f.ri < len(groups[f.gi].Rules) {
				e.Rule = groups[f.gi].Rules[f.ri].displayName(f.ri)
			}
		}
		out = append(out, e)
	}
	return out
}

// place turns a validation issue into a RuleError at the node it is
// about: the exact path if recorded, else the nearest enclosing key, else
// the rule or group itself.
func (d *rulefileDecoder) place(is ruleIssue, groups []Group) *RuleError {
	g := groups[is.group]
	e := &RuleError{File: d.file, Group: g.Name, Field: is.field, Err: is.err}
	loc := &d.groups[is.group]
	if is.rule >= 0 {
		loc = &d.rules[is.group][is.rule]
		e.Rule = g.Rules[is.rule].displayName(is.rule)
	}
	n := loc.node
	for p := is.path(); p != ""; p = rulefileParent(p) {
		if pn := loc.paths[p]; pn != nil {
			n = pn
			break
		}
	}
	e.Line, e.Column = n.Line, n.Column
	if is.field == "expr" && is.offset >= 0 && n.Kind == yaml.ScalarNode {
		if d.lines == nil {
			d.lines = bytes.Split(d.src, []byte("\n"))
		}
		e.Line, e.Column = rulefileTextPos(d.lines, n, is.offset)
	}
	return e
}

// rulefileParent cuts the last part off an issue path: "a.b#key" -> "a.b"
// -> "a"; "a[0].b" -> "a[0]" -> "a".
func rulefileParent(p string) string {
	if i := strings.LastIndexAny(p, ".[#"); i >= 0 {
		return p[:i]
	}
	return ""
}

// rulefileSegment is a piece of a scalar's value that appears verbatim in
// the file, starting at line and col.
type rulefileSegment struct {
	start     int // byte offset in the value
	text      string
	line, col int
}

// rulefileTextPos returns the file position of byte offset in the value of
// scalar n, given the file's lines. It maps plain, quoted (without escapes), literal (|) and
// folded (>) scalars exactly; when the value cannot be matched to the
// file's text, it returns the scalar's own position.
func rulefileTextPos(lines [][]byte, n *yaml.Node, offset int) (line, col int) {
	segs := rulefileSegments(lines, n)
	for i, s := range segs {
		end := s.start + len(s.text)
		last := i+1 == len(segs) || segs[i+1].start > end
		if offset < s.start || offset > end || (offset == end && !last) {
			continue
		}
		if offset <= len(n.Value) && n.Value[s.start:offset] == s.text[:offset-s.start] {
			return s.line, s.col + offset - s.start
		}
		break
	}
	return n.Line, n.Column
}

// rulefileSegments splits the scalar's text in the file (lines) into the
// pieces its value is made of.
func rulefileSegments(lines [][]byte, n *yaml.Node) []rulefileSegment {
	if n.Line < 1 || n.Line > len(lines) {
		return nil
	}
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return rulefileBlockSegments(lines[n.Line:], n.Line+1, n.Style&yaml.LiteralStyle != 0)
	case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		first := string(lines[n.Line-1])
		if n.Column < len(first) && strings.HasPrefix(first[n.Column:], n.Value) {
			return []rulefileSegment{{text: n.Value, line: n.Line, col: n.Column + 1}}
		}
		return nil
	}
	return rulefilePlainSegments(lines[n.Line-1:], n.Line, n.Column)
}

// rulefilePlainSegments splits a plain scalar starting at line, col: its
// lines are trimmed and folded, one line break to a space and n empty lines
// to n line breaks.
func rulefilePlainSegments(lines [][]byte, line, col int) []rulefileSegment {
	if col < 1 || col > len(lines[0])+1 {
		return nil
	}
	first := strings.TrimRight(string(lines[0][col-1:]), " \t\r")
	segs := []rulefileSegment{{text: first, line: line, col: col}}
	start, blank := len(first), 0
	for i := 1; i < len(lines) && i < 1000; i++ {
		raw := string(lines[i])
		text := strings.TrimSpace(raw)
		if text == "" {
			blank++
			continue
		}
		start += max(blank, 1)
		blank = 0
		segs = append(segs, rulefileSegment{start: start, text: text, line: line + i,
			col: strings.Index(raw, text) + 1})
		start += len(text)
	}
	return segs
}

// rulefileBlockSegments splits the content lines of a block scalar, which
// start at line: literal ones keep their line breaks, folded ones fold
// them as plain scalars do.
func rulefileBlockSegments(lines [][]byte, line int, literal bool) []rulefileSegment {
	indent := -1
	var segs []rulefileSegment
	start, blank := 0, 0
	for i := 0; i < len(lines) && i < 1000; i++ {
		raw := strings.TrimRight(string(lines[i]), "\r")
		if strings.TrimSpace(raw) == "" {
			blank++
			continue
		}
		lead := len(raw) - len(strings.TrimLeft(raw, " "))
		if indent < 0 {
			indent = lead
		} else if lead < indent {
			break
		}
		switch {
		case literal:
			start += blank
		case len(segs) > 0:
			start += max(blank, 1)
		}
		blank = 0
		text := raw[indent:]
		segs = append(segs, rulefileSegment{start: start, text: text, line: line + i, col: indent + 1})
		start += len(text)
		if literal {
			start++
		}
	}
	return segs
}
