package output

import "fmt"

// Change names a change a command makes, for its messages: Verb "stop",
// Resource "instance 10001 (pdeb12web01)".
type Change struct {
	Verb     string
	Resource string
}

// ForPeople reports whether the output is for people (table, wide,
// columns=, no --jq): a change command then prints sentences, not data.
func (p *Printer) ForPeople() bool { return p.Opts.Format.IsTable() && p.Opts.JQ == "" }

// PrintDryRun reports a change the server validated without doing it:
// a sentence for people, the server's answer for programs.
func (p *Printer) PrintDryRun(ch Change, answer any) error {
	if p.ForPeople() {
		fmt.Fprintf(p.IO.Out, "dry run: %s %s was validated by the server; nothing was changed\n", ch.Verb, ch.Resource)
		return nil
	}
	return p.PrintObject(answer, nil)
}

// PrintUntracked reports a change the API accepted without an action id to
// follow (a creation answered that way): a warning, and the answer for
// programs.
func (p *Printer) PrintUntracked(ch Change, status int, answer any) error {
	p.IO.Warnf("the API accepted %s %s (HTTP %d) without an action id to follow", ch.Verb, ch.Resource, status)
	if p.ForPeople() {
		return nil
	}
	return p.PrintObject(answer, nil)
}

// PrintStarted reports an action started and not waited for: its id on
// stdout and how to follow it on stderr for people, the answer for programs.
func (p *Printer) PrintStarted(ch Change, id int64, resume string, answer any) error {
	if !p.ForPeople() {
		return p.PrintObject(answer, nil)
	}
	fmt.Fprintln(p.IO.Out, id)
	fmt.Fprintf(p.IO.ErrOut, "%s %s: action %d started; follow it with: %s\n", ch.Verb, ch.Resource, id, resume)
	return nil
}

// PrintFinalActions prints the actions a wait ended with, as data for
// programs; for people the wait display already said everything.
func (p *Printer) PrintFinalActions(actions any, cols []Column) error {
	if p.ForPeople() {
		return nil
	}
	return p.PrintList(actions, cols, "actions")
}
