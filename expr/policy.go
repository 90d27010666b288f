package expr

import "strconv"

// Policy names one choice this package makes where CX's behaviour is not
// documented. The evaluator reports a [Note] with the policy each time a
// result depends on it, so that a runtime can print it in its trace; the
// package documentation lists them all, and [Policies] returns them with
// their descriptions.
type Policy uint8

// The undocumented choices. Each one's description is in policyDocs.
const (
	// PolicyAndOrPrecedence: a condition mixes AND and OR without
	// parentheses. AND binds tighter than OR here, as in most languages;
	// Google's AIP-160 filter syntax, which CX's operators resemble, binds
	// OR tighter.
	PolicyAndOrPrecedence Policy = iota + 1
	// PolicyKeywordCase: a keyword (AND, OR, NOT, true, false, null) is
	// written in another case; keywords are case-insensitive here.
	PolicyKeywordCase
	// PolicySingleQuotes: a string in single quotes, accepted like one in
	// double quotes.
	PolicySingleQuotes
	// PolicyCastFailed: the right side of a comparison cannot be cast to
	// the left side's type; = is false, != true, ordering false.
	PolicyCastFailed
	// PolicyNullOrdering: <, <=, > or >= with null on a side; false.
	PolicyNullOrdering
	// PolicyListCompare: = or : between a list and a single value; true
	// when the list has an element equal to the value.
	PolicyListCompare
	// PolicyKindOrdering: <, <=, > or >= between values that are neither
	// numbers nor strings (bools, lists, structs); false.
	PolicyKindOrdering
	// PolicyTruthiness: a value that is not a bool used as a condition
	// (a bare reference, or IF's first argument); only the string "true"
	// is true.
	PolicyTruthiness
	// PolicyUnresolvedSingle: a string that is exactly one reference
	// names an unset parameter; its value is null (a longer text keeps the
	// reference literally).
	PolicyUnresolvedSingle
	// PolicyNullArgument: a system function got null where it wants a
	// string, number or list; see each function for what null gives.
	PolicyNullArgument
	// PolicyNumericString: a string used where a number is wanted was
	// read as a number.
	PolicyNumericString
	// PolicyStructText: a struct other than a recorded @sys.date or
	// @sys.time shape rendered as text (as its "original" field, else as
	// JSON).
	PolicyStructText
	// PolicyListText: a list rendered as text, its elements joined by
	// ", ".
	PolicyListText
	// PolicyFunctionText: an inline system function in a message failed;
	// the call is left in the text as written.
	PolicyFunctionText
	// PolicyDynamicCondition: IF's first argument is a string computed at
	// run time, parsed and evaluated as a condition.
	PolicyDynamicCondition
	// PolicyDateLanguage: FORMAT_DATE or IS_DATE asked for a language
	// other than English; English names are used.
	PolicyDateLanguage
	// PolicyPhoneNumber: TO_PHONE_NUMBER or IS_PHONE_NUMBER used; this
	// package checks lengths and country calling codes only, not the
	// numbering plans libphonenumber knows.
	PolicyPhoneNumber
)

var policyDocs = [...]struct{ name, doc string }{
	{},
	{"and-or-precedence", "AND binds tighter than OR when a condition mixes them without parentheses; CX does not document it, and Google's AIP-160 filters bind OR tighter. Add parentheses to make the condition mean the same everywhere."},
	{"keyword-case", "AND, OR, NOT, true, false and null are accepted in any case; CX documents them in one case only."},
	{"single-quotes", "Strings in single quotes are accepted like strings in double quotes; CX documents double quotes only."},
	{"cast-failed", "CX casts the right side of a comparison to the left side's type; when that cast fails (\"abc\" to a number), = is false, != is true and <, <=, >, >= are false."},
	{"null-ordering", "<, <=, > and >= with null (an unset parameter) on either side are false."},
	{"list-compare", "= and : between a list and a single value are true when the list has an element equal to the value (cast to the element's type); != is the negation."},
	{"kind-ordering", "<, <=, > and >= between bools, lists or structs are false; only numbers and strings are ordered."},
	{"truthiness", "A value that is not a bool used as a condition is false unless it is the string \"true\"; null is false."},
	{"unresolved-single", "A preset value or quoted string that is exactly one reference to an unset parameter is null; in a longer text the reference is kept as written."},
	{"null-argument", "A system function given null where it wants a value follows its documented null rule (for example COUNT(null) = 0, JOIN of null = null, CONCATENATE skips null)."},
	{"numeric-string", "A string that reads as a number is used as that number where a system function wants a number."},
	{"struct-text", "A struct other than @sys.date {year, month, day} or @sys.time {hours, minutes, seconds, nanos} renders as its \"original\" field when it has one, and as compact JSON with sorted keys otherwise; a date-time renders as 2022-01-05T15:00:00."},
	{"list-text", "A list renders as its elements' texts joined by \", \"."},
	{"function-text", "An inline system function that fails in a message is left in the text as written."},
	{"dynamic-condition", "IF's first argument, when it is a string computed at run time rather than a literal, is parsed and evaluated as a condition."},
	{"date-language", "FORMAT_DATE and IS_DATE use English month and day names whatever language is asked for."},
	{"phone-number", "TO_PHONE_NUMBER and IS_PHONE_NUMBER check the number's length and country calling code only, not each country's numbering plan."},
}

// Name returns the policy's short name, such as "and-or-precedence".
func (p Policy) Name() string {
	if int(p) > 0 && int(p) < len(policyDocs) {
		return policyDocs[p].name
	}
	return "policy-" + strconv.Itoa(int(p))
}

// String returns the policy's short name.
func (p Policy) String() string { return p.Name() }

// Doc returns the policy's description: what this package does, and that
// CX does not document it.
func (p Policy) Doc() string {
	if int(p) > 0 && int(p) < len(policyDocs) {
		return policyDocs[p].doc
	}
	return ""
}

// Policies returns every policy, in order.
func Policies() []Policy {
	ps := make([]Policy, 0, len(policyDocs)-1)
	for i := 1; i < len(policyDocs); i++ {
		ps = append(ps, Policy(i))
	}
	return ps
}

// Note reports that a parse or an evaluation depended on an undocumented
// choice: which policy, where in the source, and a short detail.
type Note struct {
	Policy Policy
	Pos    Pos    // where in the source the choice was made
	Detail string // what was decided, for a trace line
}

func (n Note) String() string {
	s := n.Pos.String() + ": " + n.Policy.Name()
	if n.Detail != "" {
		s += ": " + n.Detail
	}
	return s
}
