package rules

import "strings"

// The fields a leaf Condition tests.
const (
	// FieldChannel is Input.Channel.
	FieldChannel = "channel"
	// FieldGroup is the conversation's group: Input.Group, or the group an
	// earlier matching rule set.
	FieldGroup = "group"
	// FieldCustomer is Input.CustomerID.
	FieldCustomer = "customer"
	// FieldURL is the attribute AttrURL.
	FieldURL = "url"
	// FieldSite is the attribute AttrSite.
	FieldSite = "site"
	// FieldCompany is the attribute AttrCompany.
	FieldCompany = "company"
	// FieldLanguage is the attribute AttrLanguage.
	FieldLanguage = "language"
	// FieldTag is the conversation's tags: a leaf holds when any one tag
	// satisfies it, except OpNotEquals, which holds when no tag equals the
	// value. So with no tags only OpNotEquals holds.
	FieldTag = "tag"
	// FieldTime is Input.Now's time of day in the condition's Zone; it
	// takes OpBetween only.
	FieldTime = "time"
	// FieldWeekday is Input.Now's day of the week in the condition's Zone,
	// one of "mon", "tue", "wed", "thu", "fri", "sat" and "sun"; it takes
	// OpEquals, OpNotEquals and OpIn only.
	FieldWeekday = "weekday"
	// FieldAttrPrefix followed by a key names the attribute of that key:
	// "attr.plan" is Input.Attributes["plan"].
	FieldAttrPrefix = "attr."
)

// The keys of Input.Attributes that have fields of their own: hosts put
// these facts about a conversation into Attributes under these keys.
const (
	// AttrURL is the address of the page the customer writes from.
	AttrURL = "url"
	// AttrSite is the site (or widget, or bot) the conversation came
	// through.
	AttrSite = "site"
	// AttrCompany is the customer's company.
	AttrCompany = "company"
	// AttrLanguage is the customer's language, as a tag like "de-AT".
	AttrLanguage = "language"
)

// fieldKind is a field as compiled.
type fieldKind uint8

const (
	fChannel fieldKind = iota
	fGroup
	fCustomer
	fAttr // an attribute; the key comes with it
	fTag
	fTime
	fWeekday
)

// parseField returns the kind of the field name and, for an attribute,
// its key; ok is false for a name that is no field. An "attr." without a
// key is an attribute with an empty key, for the caller to refuse.
func parseField(name string) (kind fieldKind, key string, ok bool) {
	switch name {
	case FieldChannel:
		return fChannel, "", true
	case FieldGroup:
		return fGroup, "", true
	case FieldCustomer:
		return fCustomer, "", true
	case FieldURL:
		return fAttr, AttrURL, true
	case FieldSite:
		return fAttr, AttrSite, true
	case FieldCompany:
		return fAttr, AttrCompany, true
	case FieldLanguage:
		return fAttr, AttrLanguage, true
	case FieldTag:
		return fTag, "", true
	case FieldTime:
		return fTime, "", true
	case FieldWeekday:
		return fWeekday, "", true
	}
	if key, ok := strings.CutPrefix(name, FieldAttrPrefix); ok {
		return fAttr, key, true
	}
	return 0, "", false
}

// clocked reports whether the field reads the time.
func (k fieldKind) clocked() bool { return k == fTime || k == fWeekday }
