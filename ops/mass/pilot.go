package mass

// checkPilot refuses a canary group none of whose members is among the
// devices to send to: the canary would be devices the admin did not
// choose while the preflight says the group's members go first.
func checkPilot(group string, members int, pilot map[string]bool, targets []Target) error {
	among, skipped := 0, 0
	for _, t := range targets {
		if !pilot[t.Device.ID] {
			continue
		}
		if t.Skip != "" {
			skipped++
		} else {
			among++
		}
	}
	switch {
	case among > 0:
		return nil
	case members == 0:
		return usagef("canary group %s has no members", group)
	case skipped > 0:
		return usagef("canary group %s: its %d members among the targets are all skipped, so the canary would be other devices", group, skipped)
	}
	return usagef("canary group %s: none of its %d members is among the devices to send to", group, members)
}
