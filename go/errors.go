package rtloader

import (
	"fmt"
	"strings"
)

// Error is a failure of an rtloader C call: Msg is rtloader's own text, exactly (see the C
// header and spec for the texts), Op the call that failed.
type Error struct {
	Op  string
	Msg string
}

func (e *Error) Error() string { return "rtloader: " + e.Op + ": " + e.Msg }

// CheckError is a check run that failed: the check raised (AgentCheck.run caught it and
// returned its description) or the run could not happen.
type CheckError struct {
	CheckID  string
	Failures []CheckFailure // what the check's run() returned, in order
}

// CheckFailure is one error a check's run() reported.
type CheckFailure struct {
	Message   string `json:"message"`
	Traceback string `json:"traceback"`
}

func (e *CheckError) Error() string {
	msgs := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		msgs[i] = f.Message
	}
	return fmt.Sprintf("check %s failed: %s", e.CheckID, strings.Join(msgs, "; "))
}
