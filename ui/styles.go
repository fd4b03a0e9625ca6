package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles holds every style the console uses, built for the terminal's
// background. Screens never create styles in View.
type Styles struct {
	App struct {
		Header, HeaderAccent, ReadOnly, Hint lipgloss.Style
		Title, Subtle, Bold, Error, Info     lipgloss.Style
		Key, Box, Tab, ActiveTab, Prompt     lipgloss.Style
	}
	Table struct {
		Header, Row, Selected, Marked, MarkedSelected lipgloss.Style
	}
	Status struct {
		Pending, NotNow, Failed, Completed, Offline lipgloss.Style
	}
	Risk struct {
		High, Medium, Low, Secure lipgloss.Style
	}
}

// newStyles builds the styles for a dark or light background, with accent
// as the profile's colour (empty for the default).
func newStyles(isDark bool, accent string) Styles {
	ld := lipgloss.LightDark(isDark)
	fg := ld(lipgloss.Color("#1a1a1a"), lipgloss.Color("#e6e6e6"))
	subtle := ld(lipgloss.Color("#6b6b6b"), lipgloss.Color("#8a8a8a"))
	var acc color.Color = ld(lipgloss.Color("#005fd7"), lipgloss.Color("#5fafff"))
	if accent != "" {
		acc = lipgloss.Color(accent)
	}
	red := ld(lipgloss.Color("#c00000"), lipgloss.Color("#ff5f5f"))
	green := ld(lipgloss.Color("#007a00"), lipgloss.Color("#5fd75f"))
	amber := ld(lipgloss.Color("#9a6700"), lipgloss.Color("#ffaf00"))
	selBg := ld(lipgloss.Color("#d0e4ff"), lipgloss.Color("#264f78"))
	markFg := ld(lipgloss.Color("#8700af"), lipgloss.Color("#d787ff"))

	var s Styles
	s.App.Header = lipgloss.NewStyle().Foreground(fg).Bold(true)
	s.App.HeaderAccent = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(acc).Bold(true).Padding(0, 1)
	s.App.ReadOnly = lipgloss.NewStyle().Foreground(lipgloss.Color("#000000")).Background(amber).Bold(true).Padding(0, 1)
	s.App.Hint = lipgloss.NewStyle().Foreground(amber)
	s.App.Title = lipgloss.NewStyle().Foreground(acc).Bold(true)
	s.App.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.App.Bold = lipgloss.NewStyle().Foreground(fg).Bold(true)
	s.App.Error = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(red).Padding(0, 1)
	s.App.Info = lipgloss.NewStyle().Foreground(green)
	s.App.Key = lipgloss.NewStyle().Foreground(acc).Bold(true)
	s.App.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(acc).Padding(0, 1)
	s.App.Tab = lipgloss.NewStyle().Foreground(subtle).Padding(0, 1)
	s.App.ActiveTab = lipgloss.NewStyle().Foreground(acc).Bold(true).Underline(true).Padding(0, 1)
	s.App.Prompt = lipgloss.NewStyle().Foreground(acc).Bold(true)

	s.Table.Header = lipgloss.NewStyle().Foreground(subtle).Bold(true)
	s.Table.Row = lipgloss.NewStyle().Foreground(fg)
	s.Table.Selected = lipgloss.NewStyle().Foreground(fg).Background(selBg).Bold(true)
	s.Table.Marked = lipgloss.NewStyle().Foreground(markFg)
	s.Table.MarkedSelected = lipgloss.NewStyle().Foreground(markFg).Background(selBg).Bold(true)

	s.Status.Pending = lipgloss.NewStyle().Foreground(amber)
	s.Status.NotNow = lipgloss.NewStyle().Foreground(amber).Italic(true)
	s.Status.Failed = lipgloss.NewStyle().Foreground(red)
	s.Status.Completed = lipgloss.NewStyle().Foreground(green)
	s.Status.Offline = lipgloss.NewStyle().Foreground(subtle)

	s.Risk.High = lipgloss.NewStyle().Foreground(lipgloss.Color("#ffffff")).Background(red).Bold(true)
	s.Risk.Medium = lipgloss.NewStyle().Foreground(lipgloss.Color("#d75f00")).Bold(true)
	s.Risk.Low = lipgloss.NewStyle().Foreground(amber)
	s.Risk.Secure = lipgloss.NewStyle().Foreground(green)
	return s
}
