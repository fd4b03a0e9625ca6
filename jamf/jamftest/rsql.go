package jamftest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// rsqlNode is a parsed RSQL filter.
type rsqlNode interface {
	eval(get func(field string) (string, bool)) bool
}

type rsqlAnd []rsqlNode
type rsqlOr []rsqlNode

func (n rsqlAnd) eval(get func(string) (string, bool)) bool {
	for _, c := range n {
		if !c.eval(get) {
			return false
		}
	}
	return true
}

func (n rsqlOr) eval(get func(string) (string, bool)) bool {
	for _, c := range n {
		if c.eval(get) {
			return true
		}
	}
	return false
}

// rsqlValue is an argument: its text and the positions of wildcard stars.
type rsqlValue struct {
	segments []string // text between unescaped '*'
	wildcard bool
}

func (v rsqlValue) text() string { return strings.Join(v.segments, "*") }

// match compares s with the value, case-insensitively, honouring wildcards.
func (v rsqlValue) match(s string) bool {
	if !v.wildcard {
		return strings.EqualFold(s, v.segments[0])
	}
	s = strings.ToLower(s)
	segs := v.segments
	first, last := strings.ToLower(segs[0]), strings.ToLower(segs[len(segs)-1])
	if !strings.HasPrefix(s, first) {
		return false
	}
	s = s[len(first):]
	for _, mid := range segs[1 : len(segs)-1] {
		i := strings.Index(s, strings.ToLower(mid))
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, last)
}

type rsqlComparison struct {
	field string
	op    string
	args  []rsqlValue
}

func (c rsqlComparison) eval(get func(string) (string, bool)) bool {
	v, ok := get(c.field)
	if !ok {
		return false
	}
	switch c.op {
	case "==":
		return c.args[0].match(v)
	case "!=":
		return !c.args[0].match(v)
	case "=in=":
		for _, a := range c.args {
			if a.match(v) {
				return true
			}
		}
		return false
	case "=out=":
		for _, a := range c.args {
			if a.match(v) {
				return false
			}
		}
		return true
	}
	if v == "" {
		return false
	}
	cmp := compareValues(v, c.args[0].text())
	switch c.op {
	case "=lt=":
		return cmp < 0
	case "=le=":
		return cmp <= 0
	case "=gt=":
		return cmp > 0
	case "=ge=":
		return cmp >= 0
	}
	return false
}

// compareValues orders numbers numerically, times chronologically and
// everything else as case-insensitive text.
func compareValues(a, b string) int {
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	if x, err := time.Parse(time.RFC3339Nano, a); err == nil {
		if y, err := time.Parse(time.RFC3339Nano, b); err == nil {
			return x.Compare(y)
		}
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// rsqlError is a filter the server cannot read.
type rsqlError struct {
	msg   string
	field string
}

func (e *rsqlError) Error() string { return e.msg }

// parseRSQL parses a filter, checking every field against allowed.
func parseRSQL(s string, allowed func(field string) bool) (rsqlNode, error) {
	p := &rsqlParser{s: s, allowed: allowed}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return nil, &rsqlError{msg: fmt.Sprintf("unexpected %q at position %d", p.s[p.i:min(len(p.s), p.i+10)], p.i)}
	}
	return n, nil
}

type rsqlParser struct {
	s       string
	i       int
	allowed func(string) bool
}

const maxRSQLDepth = 64

func (p *rsqlParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// keyword consumes " and " / " or " style separators.
func (p *rsqlParser) keyword(word string) bool {
	rest := p.s[p.i:]
	trimmed := strings.TrimLeft(rest, " ")
	if len(trimmed) == len(rest) {
		return false
	}
	if len(trimmed) > len(word) && strings.EqualFold(trimmed[:len(word)], word) && trimmed[len(word)] == ' ' {
		p.i += len(rest) - len(trimmed) + len(word) + 1
		return true
	}
	return false
}

func (p *rsqlParser) or(depth int) (rsqlNode, error) {
	nodes, err := p.list(',', "or", func() (rsqlNode, error) { return p.and(depth) })
	if err != nil || len(nodes) == 1 {
		return first(nodes), err
	}
	return rsqlOr(nodes), nil
}

func (p *rsqlParser) and(depth int) (rsqlNode, error) {
	nodes, err := p.list(';', "and", func() (rsqlNode, error) { return p.constraint(depth) })
	if err != nil || len(nodes) == 1 {
		return first(nodes), err
	}
	return rsqlAnd(nodes), nil
}

// list parses items separated by sep or the keyword (" and ", " or ").
func (p *rsqlParser) list(sep byte, word string, item func() (rsqlNode, error)) ([]rsqlNode, error) {
	var nodes []rsqlNode
	for {
		n, err := item()
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		if p.i < len(p.s) && p.s[p.i] == sep {
			p.i++
		} else if !p.keyword(word) {
			return nodes, nil
		}
	}
}

func first(nodes []rsqlNode) rsqlNode {
	if len(nodes) == 0 {
		return nil
	}
	return nodes[0]
}

func (p *rsqlParser) constraint(depth int) (rsqlNode, error) {
	if depth > maxRSQLDepth {
		return nil, &rsqlError{msg: "filter nests too deeply"}
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return nil, &rsqlError{msg: "missing ')'"}
		}
		p.i++
		return n, nil
	}
	return p.comparison()
}

func isReserved(c byte) bool { return strings.IndexByte("\"'();,=!~<> ", c) >= 0 }

func (p *rsqlParser) comparison() (rsqlNode, error) {
	start := p.i
	for p.i < len(p.s) && !isReserved(p.s[p.i]) {
		p.i++
	}
	field := p.s[start:p.i]
	if field == "" {
		return nil, &rsqlError{msg: fmt.Sprintf("expected a field name at position %d", start)}
	}
	if !p.allowed(field) {
		return nil, &rsqlError{msg: fmt.Sprintf("field %q cannot be used in a filter", field), field: field}
	}
	p.skipSpace()
	op, err := p.operator()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	var args []rsqlValue
	if op == "=in=" || op == "=out=" {
		if p.i >= len(p.s) || p.s[p.i] != '(' {
			return nil, &rsqlError{msg: op + " needs a list in parentheses"}
		}
		p.i++
		for {
			p.skipSpace()
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			args = append(args, v)
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				break
			}
			return nil, &rsqlError{msg: "unterminated value list"}
		}
	} else {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		args = []rsqlValue{v}
	}
	return rsqlComparison{field: field, op: op, args: args}, nil
}

func (p *rsqlParser) operator() (string, error) {
	rest := p.s[p.i:]
	for _, op := range []string{"==", "!=", "=lt=", "=le=", "=gt=", "=ge=", "=in=", "=out=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(rest, op) {
			p.i += len(op)
			switch op {
			case "<":
				return "=lt=", nil
			case "<=":
				return "=le=", nil
			case ">":
				return "=gt=", nil
			case ">=":
				return "=ge=", nil
			}
			return op, nil
		}
	}
	return "", &rsqlError{msg: fmt.Sprintf("expected a comparison operator at position %d", p.i)}
}

func (p *rsqlParser) value() (rsqlValue, error) {
	if p.i >= len(p.s) {
		return rsqlValue{}, &rsqlError{msg: "missing value"}
	}
	var v rsqlValue
	var cur strings.Builder
	quote := p.s[p.i]
	if quote == '"' || quote == '\'' {
		p.i++
		for {
			if p.i >= len(p.s) {
				return rsqlValue{}, &rsqlError{msg: "unterminated quoted value"}
			}
			c := p.s[p.i]
			switch {
			case c == '\\' && p.i+1 < len(p.s):
				cur.WriteByte(p.s[p.i+1])
				p.i += 2
				continue
			case c == quote:
				p.i++
				v.segments = append(v.segments, cur.String())
				return v, nil
			case c == '*':
				v.wildcard = true
				v.segments = append(v.segments, cur.String())
				cur.Reset()
			default:
				cur.WriteByte(c)
			}
			p.i++
		}
	}
	start := p.i
	for p.i < len(p.s) && !isReserved(p.s[p.i]) {
		c := p.s[p.i]
		if c == '*' {
			v.wildcard = true
			v.segments = append(v.segments, cur.String())
			cur.Reset()
		} else if unicode.IsControl(rune(c)) {
			return rsqlValue{}, errors.New("control character in filter")
		} else {
			cur.WriteByte(c)
		}
		p.i++
	}
	if p.i == start {
		return rsqlValue{}, &rsqlError{msg: fmt.Sprintf("missing value at position %d", start)}
	}
	v.segments = append(v.segments, cur.String())
	return v, nil
}

// indexedValues returns the values a filter pins field to when the whole
// filter can only match records whose field is one of them (field==x,
// field=in=(…), or such a term inside a top-level AND), so callers can use an
// index instead of scanning everything.
func indexedValues(n rsqlNode, field string) ([]string, bool) {
	switch t := n.(type) {
	case rsqlComparison:
		if t.field != field || (t.op != "==" && t.op != "=in=") {
			return nil, false
		}
		out := make([]string, 0, len(t.args))
		for _, a := range t.args {
			if a.wildcard {
				return nil, false
			}
			out = append(out, a.text())
		}
		return out, true
	case rsqlAnd:
		for _, c := range t {
			if vals, ok := indexedValues(c, field); ok {
				return vals, true
			}
		}
	}
	return nil, false
}
