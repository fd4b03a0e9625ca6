package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// column describes a table column. Width 0 makes it share the space left.
type column struct {
	title string
	width int
	right bool
	// drop > 0 lets a narrow table hide the column, highest drop first,
	// so that the shared columns keep a readable width.
	drop int
}

// minFlex is the narrowest a shared column gets before columns are hidden.
const minFlex = 14

// table is a scrolling table that renders only its visible rows, so it
// stays fast with 100,000 of them. Rows come from a function so that no
// copy of the data is built; every cell must already be sanitised.
type table struct {
	cols   []column
	n      int
	cell   func(row, col int) string
	id     func(row int) string
	marked func(id string) bool
	// span, when set and non-empty for a row, is drawn across the whole
	// row instead of its cells (section headings).
	span   func(row int) string
	cursor int
	offset int
	width  int
	height int // rows, not counting the header
	keys   tableKeyMap
}

func newTable(cols []column) table {
	return table{cols: cols, keys: defaultTableKeyMap()}
}

// setData replaces the rows, keeping the cursor on the same ID when it can.
func (t *table) setData(n int, cell func(int, int) string, id func(int) string) {
	var current string
	if t.id != nil && t.cursor < t.n {
		current = t.id(t.cursor)
	}
	t.n, t.cell, t.id = n, cell, id
	t.cursor = 0
	if current != "" {
		for i := range n {
			if id(i) == current {
				t.cursor = i
				break
			}
		}
	}
	t.clamp()
}

func (t *table) setSize(w, h int) {
	t.width, t.height = w, max(1, h-1)
	t.clamp()
}

func (t *table) clamp() {
	if t.cursor >= t.n {
		t.cursor = t.n - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	if t.offset > t.cursor {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+t.height {
		t.offset = t.cursor - t.height + 1
	}
	if t.offset > max(0, t.n-t.height) {
		t.offset = max(0, t.n-t.height)
	}
	if t.offset < 0 {
		t.offset = 0
	}
}

// move handles navigation keys and the mouse wheel; it reports whether the
// message was used.
func (t *table) move(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, t.keys.Up):
			t.cursor--
		case key.Matches(msg, t.keys.Down):
			t.cursor++
		case key.Matches(msg, t.keys.PageUp):
			t.cursor -= t.height
		case key.Matches(msg, t.keys.PageDown):
			t.cursor += t.height
		case key.Matches(msg, t.keys.Top):
			t.cursor = 0
		case key.Matches(msg, t.keys.Bottom):
			t.cursor = t.n - 1
		default:
			return false
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			t.cursor -= 3
		case tea.MouseWheelDown:
			t.cursor += 3
		default:
			return false
		}
	default:
		return false
	}
	t.clamp()
	return true
}

// selectedID returns the ID under the cursor, or "".
func (t table) selectedID() string {
	if t.n == 0 || t.id == nil {
		return ""
	}
	return t.id(t.cursor)
}

// widths shares the table width among the columns; a hidden column gets -1.
func (t table) widths() []int {
	w := make([]int, len(t.cols))
	for {
		fixed, flex, worst := 0, 0, -1
		for i, c := range t.cols {
			switch {
			case w[i] < 0:
				continue
			case c.width > 0:
				w[i] = c.width
				fixed += c.width + 1
			default:
				flex++
			}
			if c.drop > 0 && (worst < 0 || c.drop > t.cols[worst].drop) {
				worst = i
			}
		}
		avail := t.width - 2 - fixed
		share := avail/max(1, flex) - 1
		if flex > 0 && share < minFlex && worst >= 0 {
			w[worst] = -1
			continue
		}
		for i, c := range t.cols {
			if c.width == 0 && w[i] >= 0 {
				w[i] = max(8, share)
			}
		}
		return w
	}
}

func fit(s string, w int, right bool) string {
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	pad := w - ansi.StringWidth(s)
	if pad <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", pad) + s
	}
	return s + strings.Repeat(" ", pad)
}

// View renders the header and the visible rows.
func (t table) View(st *Styles) string {
	w := t.widths()
	var b strings.Builder
	b.Grow((t.height + 1) * (t.width + 8))
	head := make([]string, 0, len(t.cols))
	for i, c := range t.cols {
		if w[i] >= 0 {
			head = append(head, fit(c.title, w[i], c.right))
		}
	}
	b.WriteString(st.Table.Header.Render(fit("  "+strings.Join(head, " "), t.width, false)))
	end := min(t.n, t.offset+t.height)
	cells := make([]string, 0, len(t.cols))
	for r := t.offset; r < end; r++ {
		b.WriteByte('\n')
		marked := t.marked != nil && t.marked(t.id(r))
		prefix := "  "
		if marked {
			prefix = "● "
		}
		var line string
		if heading := t.spanOf(r); heading != "" {
			line = prefix + heading
		} else {
			cells = cells[:0]
			for i, c := range t.cols {
				if w[i] >= 0 {
					cells = append(cells, fit(t.cell(r, i), w[i], c.right))
				}
			}
			line = prefix + strings.Join(cells, " ")
		}
		var style lipgloss.Style
		switch {
		case r == t.cursor && marked:
			style = st.Table.MarkedSelected
		case r == t.cursor:
			style = st.Table.Selected
		case marked:
			style = st.Table.Marked
		default:
			style = st.Table.Row
		}
		b.WriteString(style.Render(fit(line, t.width, false)))
	}
	for r := end - t.offset; r < t.height; r++ {
		b.WriteByte('\n')
	}
	return b.String()
}

func (t table) spanOf(r int) string {
	if t.span == nil {
		return ""
	}
	return t.span(r)
}

// position renders "12/2,000" for the footer.
func (t table) position() string {
	if t.n == 0 {
		return "0/0"
	}
	return formatCount(t.cursor+1) + "/" + formatCount(t.n)
}

// toggleMark marks or unmarks the row under the cursor and moves down.
func (t *table) toggleMark(marks map[string]bool) {
	id := t.selectedID()
	if id == "" {
		return
	}
	if marks[id] {
		delete(marks, id)
	} else {
		marks[id] = true
	}
	t.cursor++
	t.clamp()
}
