package routing

// Actor is who issues a command. Operators may act only on their own status
// and on conversations they hold (SPEC L11); admins (and supervisors acting
// as such) may act on anyone's (SPEC L7).
type Actor struct {
	// ID names the operator or admin.
	ID string
	// Admin marks an admin or supervisor.
	Admin bool
}

// ByOperator returns the actor for operator id.
func ByOperator(id string) Actor { return Actor{ID: id} }

// ByAdmin returns the actor for an admin or supervisor named id.
func ByAdmin(id string) Actor { return Actor{ID: id, Admin: true} }

// assignee returns the assignee precondition a command by a must carry:
// the actor's own id for an operator, none for an admin.
func (a Actor) assignee() string {
	if a.Admin {
		return ""
	}
	return a.ID
}
