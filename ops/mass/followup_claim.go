package mass

import (
	"errors"
	"fmt"
	"path/filepath"
)

// claimFollowUp takes the parent job's lock and checks that no other
// follow-up of it is unfinished (saved, running, held or interrupted): a
// second one would send the command again to the same devices. The caller
// creates the follow-up's journal and then calls release.
func claimFollowUp(dir, parent string) (release func(), err error) {
	lock, err := lockJob(filepath.Join(dir, parent+".jsonl"), parent)
	var busy *JobBusyError
	if errors.As(err, &busy) {
		return nil, fmt.Errorf("job %s is running or being followed up in another process; try again when it is done", parent)
	}
	if err != nil {
		return nil, err
	}
	jobs, err := ListJobs(dir)
	if err != nil {
		lock.release()
		return nil, err
	}
	for _, j := range jobs {
		if j.Plan.Parent == parent && j.State.Ended == "" {
			lock.release()
			return nil, fmt.Errorf("job %s already follows up job %s and has not ended (%s): start, resume or discard it first", j.Plan.ID, parent, j.Status)
		}
	}
	return func() { _ = lock.release() }, nil
}
