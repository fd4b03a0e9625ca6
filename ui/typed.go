package ui

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// typedStep is one answer a typed confirmation asks for.
type typedStep struct {
	prompt string   // "Type the number of devices left (40) and enter:"
	accept []string // the answers that pass (exact, after trimming spaces)
	miss   string   // why it was cancelled when the answer did not match
}

// typedAsk is a confirmation for what cannot be undone: each step's answer
// must be typed and entered; a wrong answer or esc cancels, and the cancel
// is reported.
type typedAsk struct {
	title string
	lines []string
	steps []typedStep
	step  int
	input textinput.Model
	onYes tea.Cmd
}

func newTypedAsk(title string, lines []string, onYes tea.Cmd, steps ...typedStep) (*typedAsk, tea.Cmd) {
	a := &typedAsk{title: title, lines: lines, steps: steps, onYes: onYes, input: newInput("› ", "")}
	a.input.SetWidth(30)
	return a, a.input.Focus()
}

// handle takes a key; done is true when the question is closed (confirmed
// or cancelled).
func (a *typedAsk) handle(msg tea.KeyPressMsg) (cmd tea.Cmd, done bool) {
	switch msg.String() {
	case "esc":
		return reportInfo("Cancelled: nothing was changed."), true
	case "enter":
		s := a.steps[a.step]
		if !slices.Contains(s.accept, strings.TrimSpace(a.input.Value())) {
			return reportInfo("Cancelled: %s; nothing was changed.", s.miss), true
		}
		a.step++
		if a.step == len(a.steps) {
			return a.onYes, true
		}
		a.input.SetValue("")
		return nil, false
	}
	a.input, cmd = a.input.Update(msg)
	return cmd, false
}

func (a typedAsk) View(st *Styles, width int) string {
	var b strings.Builder
	b.WriteString(st.App.Title.Render(a.title))
	for _, l := range a.lines {
		b.WriteString("\n" + l)
	}
	b.WriteString("\n\n" + st.App.Bold.Render(a.steps[a.step].prompt) + "\n" + a.input.View() + "\n" + st.App.Subtle.Render("esc cancels"))
	return st.App.Box.Width(min(width-2, 100)).Render(b.String())
}

// answerTyped gives a key to a pending typed confirmation; ok is false
// when there is none.
func answerTyped(ask **typedAsk, msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	if *ask == nil {
		return nil, false
	}
	cmd, done := (*ask).handle(msg)
	if done {
		*ask = nil
	}
	return cmd, true
}
