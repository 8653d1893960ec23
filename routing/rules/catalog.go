package rules

// Catalog says which groups and skills the Router knows, so that Decode and
// New refuse rules whose actions name others (with errors matching
// ErrUnknownGroup and ErrUnknownSkill). A nil Catalog checks no names.
// Conditions are not checked: a condition may test for a group that does
// not exist yet.
type Catalog interface {
	// HasGroup reports whether the group id exists.
	HasGroup(id string) bool
	// HasSkill reports whether the skill exists; name is the skill's name
	// without a level, e.g. "de".
	HasSkill(name string) bool
}
