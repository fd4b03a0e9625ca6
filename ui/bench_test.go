package ui

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/jamfops/jamfops/jamf"
	"github.com/jamfops/jamfops/ops"
)

// bigMembers builds a members screen holding n devices, as after a load.
func bigMembers(n int) membersModel {
	c := &common{styles: newStyles(true, ""), deps: Deps{Now: func() time.Time { return t0 }}, width: 160, height: 45, tags: &tagSource{}}
	m := newMembersModel(c, ops.GroupSummary{ID: "1", Name: "All Managed Clients", Kind: jamf.PlatformComputer, Smart: true, MemberCount: n})
	devs := make([]ops.Device, n)
	for i := range devs {
		seen := t0.Add(-time.Duration(i%5000) * time.Minute)
		devs[i] = ops.Device{ID: fmt.Sprint(i + 1), Name: fmt.Sprintf("ENG-MBP-%06d", i), Serial: fmt.Sprintf("C02X%06d", i),
			UDID: "UDID", ManagementID: fmt.Sprintf("m-%d", i), Model: "MacBook Pro (14-inch, M3 Pro, 2023)", OS: "macOS 26.1",
			User: "alice.anderson", LastCheckIn: &seen, Kind: jamf.PlatformComputer}
	}
	m, _ = m.Update(membersLoadedMsg{req: m.req, devices: devs})
	m.setSize(160, 42)
	return m
}

// BenchmarkMembersView renders one frame of the members screen scrolled to
// the middle, with 1,000 and 100,000 devices loaded: only visible rows are
// drawn, so the two should cost the same.
func BenchmarkMembersView(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			m := bigMembers(n)
			m.table.cursor = n / 2
			m.table.clamp()
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkMembersFilter100k applies a one-keystroke filter change to
// 100,000 devices (what typing in / costs).
func BenchmarkMembersFilter100k(b *testing.B) {
	m := bigMembers(100_000)
	m.filter.input.SetValue("0004")
	b.ReportAllocs()
	for b.Loop() {
		m.rebuild()
	}
}

// TestMembersMemory100k reports the heap a members screen with 100,000
// devices holds (a figure, not an assertion: machines differ).
func TestMembersMemory100k(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m := bigMembers(100_000)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if m.table.n != 100_000 {
		t.Fatalf("rows = %d", m.table.n)
	}
	t.Logf("members screen with 100,000 devices holds %.1f MiB", float64(after.HeapAlloc-before.HeapAlloc)/(1<<20))
	runtime.KeepAlive(m)
}

// bigMembersShuffled is bigMembers with the devices in random order and
// mixed-case names, as a real inventory page returns them: the worst case
// for sorting.
func bigMembersShuffled(n int) membersModel {
	m := bigMembers(n)
	rng := rand.New(rand.NewPCG(7, 11))
	devs := slices.Clone(m.devices)
	rng.Shuffle(len(devs), func(i, j int) { devs[i], devs[j] = devs[j], devs[i] })
	models := []string{"MacBook Pro (14-inch, M3 Pro, 2023)", "MacBook Air (13-inch, M4, 2025)", "iMac (24-inch, M4, 2024)", "Mac mini (2024)"}
	for i := range devs {
		devs[i].Name = fmt.Sprintf("%s's %s %d", []string{"Alice", "bob", "Chen", "dana"}[rng.IntN(4)], models[rng.IntN(4)][:8], rng.IntN(1_000_000))
	}
	m, _ = m.Update(membersLoadedMsg{req: m.req, devices: devs})
	return m
}

// BenchmarkMembersKeystrokeWorst100k measures one keystroke on 100,000
// unsorted devices: typing a character of a broad filter ("mac" matches
// every device) and reversing the sort (a full re-sort by name).
func BenchmarkMembersKeystrokeWorst100k(b *testing.B) {
	backspace := tea.KeyPressMsg{Code: tea.KeyBackspace}
	b.Run("filter", func(b *testing.B) {
		m := bigMembersShuffled(100_000)
		m, _ = m.Update(keyMsg("/"))
		m, _ = m.Update(keyMsg("m"))
		m, _ = m.Update(keyMsg("a"))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%2 == 0 {
				m, _ = m.Update(keyMsg("c"))
			} else {
				m, _ = m.Update(backspace)
			}
			i++
		}
		if m.table.n != 100_000 {
			b.Fatalf("broad filter kept %d rows", m.table.n)
		}
	})
	b.Run("sort", func(b *testing.B) {
		m := bigMembersShuffled(100_000)
		m, _ = m.Update(keyMsg("/"))
		m, _ = m.Update(keyMsg("a"))
		m, _ = m.Update(keyMsg("enter"))
		b.ReportAllocs()
		for b.Loop() {
			m, _ = m.Update(keyMsg("S"))
		}
	})
	// s through every column, counts known for every device (the count
	// columns are re-sorted on each press; the others were sorted at load).
	b.Run("sort-each-column", func(b *testing.B) {
		m := bigMembersShuffled(100_000)
		asked := make([]ops.Device, 0, len(m.devices))
		at := make([]int, 0, len(m.devices))
		summary := &ops.QueueSummary{}
		for i, d := range m.devices {
			asked, at = append(asked, d), append(at, i)
			summary.Stuck = append(summary.Stuck, ops.DeviceBacklog{Device: d, Pending: i % 7, Failed: i % 3})
		}
		m, _ = m.Update(countsMsg{req: m.req, summary: summary, asked: asked, askedAt: at})
		b.ReportAllocs()
		for b.Loop() {
			m, _ = m.Update(keyMsg("s"))
		}
	})
}
