package jamf

import (
	"strings"
)

// Filter is an RSQL expression for the Jamf Pro API's filter parameter. Build
// it with Eq, In, And and the other helpers, which quote and escape values so
// that user input cannot change the expression's meaning.
//
// Jamf Pro treats "*" inside a quoted value as a wildcard and offers no
// escape for it, so Eq("general.name", "a*") also matches "abc"; callers that
// need an exact match on such names should check the results.
type Filter string

// quoteValue returns value as an RSQL double-quoted string, escaping the
// backslash and the double quote.
func quoteValue(value string) string {
	var b strings.Builder
	b.Grow(len(value) + 2)
	b.WriteByte('"')
	for i := 0; i < len(value); i++ {
		// Byte by byte: the escaped characters are ASCII, and other bytes
		// (even invalid UTF-8) pass through unchanged.
		switch c := value[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// cleanField keeps only the characters RSQL field selectors use (letters,
// digits, '.', '_' and '-'). Field names come from code, never from users;
// this keeps a mistake from producing an expression with another meaning.
func cleanField(field string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return -1
	}, field)
}

func comparison(field, op, value string) Filter {
	return Filter(cleanField(field) + op + quoteValue(value))
}

// Eq matches records whose field equals value ("*" is Jamf's wildcard).
func Eq(field, value string) Filter { return comparison(field, "==", value) }

// Ne matches records whose field differs from value.
func Ne(field, value string) Filter { return comparison(field, "!=", value) }

// Lt matches records whose field is less than value.
func Lt(field, value string) Filter { return comparison(field, "=lt=", value) }

// Le matches records whose field is at most value.
func Le(field, value string) Filter { return comparison(field, "=le=", value) }

// Gt matches records whose field is greater than value.
func Gt(field, value string) Filter { return comparison(field, "=gt=", value) }

// Ge matches records whose field is at least value.
func Ge(field, value string) Filter { return comparison(field, "=ge=", value) }

// In matches records whose field is one of values. With no values it
// matches nothing (field=="" and field!="" at once).
func In(field string, values ...string) Filter { return set(field, "=in=", values) }

// Out matches records whose field is none of values.
func Out(field string, values ...string) Filter { return set(field, "=out=", values) }

func set(field, op string, values []string) Filter {
	if len(values) == 0 {
		if op == "=out=" {
			return ""
		}
		return And(Eq(field, ""), Ne(field, ""))
	}
	var b strings.Builder
	b.WriteString(cleanField(field))
	b.WriteString(op)
	b.WriteByte('(')
	for i, v := range values {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quoteValue(v))
	}
	b.WriteByte(')')
	return Filter(b.String())
}

// And joins filters so that all must match. Empty filters are dropped.
func And(filters ...Filter) Filter { return join(";", filters) }

// Or joins filters so that any may match. Empty filters are dropped.
func Or(filters ...Filter) Filter { return join(",", filters) }

func join(sep string, filters []Filter) Filter {
	parts := make([]string, 0, len(filters))
	for _, f := range filters {
		if f != "" {
			parts = append(parts, "("+string(f)+")")
		}
	}
	if len(parts) == 1 {
		return Filter(strings.TrimSuffix(strings.TrimPrefix(parts[0], "("), ")"))
	}
	return Filter(strings.Join(parts, sep))
}
