package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// screen is what the root needs of a screen. Each screen's own Update
// returns its concrete type; step adapts it.
type screen interface {
	step(msg tea.Msg) (screen, tea.Cmd)
	View() string
	resize(w, h int) screen
	reload() (screen, tea.Cmd)
	title() string
	capturing() bool
	// owner is the screen's identity and lifetime (request routing and
	// cancellation).
	owner() scope
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// writer is a screen whose writes change what the screen below it shows
// (a re-send adds a command to the device's queue): leaving it with esc
// reloads the screen below.
type writer interface{ wroteBelow() bool }

func (m commandModel) wroteBelow() bool { return m.wrote }

func (m groupsModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m groupsModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m groupsModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m membersModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m membersModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m membersModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m deviceModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m deviceModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m deviceModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m queueModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m queueModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m queueModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m auditModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m auditModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m auditModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m riskModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m riskModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m riskModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m planModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m planModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m planModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m jobsModel) step(msg tea.Msg) (screen, tea.Cmd) { return m.Update(msg) }
func (m jobsModel) resize(w, h int) screen             { m.setSize(w, h); return m }
func (m jobsModel) reload() (screen, tea.Cmd)          { cmd := m.load(); return m, cmd }

func (m groupsModel) owner() scope  { return m.sc }
func (m membersModel) owner() scope { return m.sc }
func (m deviceModel) owner() scope  { return m.sc }
func (m queueModel) owner() scope   { return m.sc }
func (m auditModel) owner() scope   { return m.sc }
func (m riskModel) owner() scope    { return m.sc }
func (m planModel) owner() scope    { return m.sc }
func (m jobsModel) owner() scope    { return m.sc }
