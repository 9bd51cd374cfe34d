package sandbox

// Contract validation. With Options.Contract (normally
// contract.MustLoad(api.OpenAPISpec), in tests), every request the sandbox
// receives under /itcare and every answer it sends there are checked
// against the OpenAPI document by a guard in front of the API (see
// contract.Guard): a request that breaks the contract is answered 400
// CONTRACT_VIOLATION; every violation is recorded and logged. The realm
// (/auth/...) is not part of the contract. Answers altered by fault
// injection are not checked: the guard sits inside the normal processing,
// faults act around it.

import "net/http"

// ContractChecker puts a guard in front of the API (*contract.Checker does).
// Only standard types cross this interface, so that the sandbox, and the
// itcare binary that embeds it, do not link the validator.
type ContractChecker interface {
	Guard(next http.Handler, prefix string, log func(line string), reject func(w http.ResponseWriter, desc, msg string)) ContractGuard
}

// ContractGuard serves the API through the checks and keeps what it found.
type ContractGuard = interface {
	http.Handler
	Violations() []string
	ResetViolations()
}

// guardAPI puts the contract's guard, if any, in front of the API.
func (s *Server) guardAPI(c ContractChecker) {
	s.api = http.HandlerFunc(s.serveAPI)
	if c == nil {
		return
	}
	s.contract = c.Guard(s.api, apiPrefix, s.logLine, func(w http.ResponseWriter, desc, msg string) {
		writeReply(w, apiError(http.StatusBadRequest, "CONTRACT_VIOLATION", desc, msg))
	})
	s.api = s.contract
}

// Violations returns the contract violations recorded so far, oldest first,
// one line each ("request ..." or "response ..."). Always empty without
// Options.Contract.
func (s *Server) Violations() []string {
	if s.contract == nil {
		return nil
	}
	return s.contract.Violations()
}

// ResetViolations forgets the recorded violations (for tests that send
// wrong requests on purpose).
func (s *Server) ResetViolations() {
	if s.contract != nil {
		s.contract.ResetViolations()
	}
}
