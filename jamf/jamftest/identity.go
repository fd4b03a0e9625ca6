package jamftest

// Identity is what another simulator needs to know of a fleet device: the
// in-memory JSC server uses it to enrol the same devices under the same
// UDIDs.
type Identity struct {
	Mobile                          bool
	ID                              int
	Name, Serial, UDID, User, Email string
	OSName, Model                   string
}

// Identities returns every device of the fleet, computers first.
func (s *Server) Identities() []Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Identity, 0, len(s.fleet.computers)+len(s.fleet.mobiles))
	for _, list := range [][]*device{s.fleet.computers, s.fleet.mobiles} {
		for _, d := range list {
			out = append(out, Identity{Mobile: d.mobile, ID: d.id, Name: d.name, Serial: d.serial, UDID: d.udid,
				User: d.realname, Email: d.email, OSName: d.osName, Model: d.model})
		}
	}
	return out
}
