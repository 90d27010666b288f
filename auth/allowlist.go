package auth

import (
	"fmt"
	"slices"
	"strings"
)

// ServiceAgentEmail returns the email of the Dialogflow service agent of the
// project with the given number: service-N@gcp-sa-dialogflow.iam.gserviceaccount.com.
// It is the identity Dialogflow CX signs its ID tokens as. The number must
// be all digits (a project number, not a project ID).
func ServiceAgentEmail(projectNumber string) (string, error) {
	if projectNumber == "" || len(projectNumber) > 20 || strings.Trim(projectNumber, "0123456789") != "" {
		return "", fmt.Errorf("auth: project number %q is not all digits (use the project number, not the project ID)", projectNumber)
	}
	return "service-" + projectNumber + "@gcp-sa-dialogflow.iam.gserviceaccount.com", nil
}

// AllowList is the set of caller emails that the token verifiers accept.
// The zero AllowList contains nobody, and the verifier constructors refuse
// it: an empty allow-list never means "allow all". An AllowList is immutable
// and safe for concurrent use.
type AllowList struct {
	emails []string // lower-cased, sorted, unique
}

// NewAllowList returns an AllowList holding the Dialogflow service agent of
// each project in projectNumbers (see [ServiceAgentEmail]) and each email in
// emails: other accounts whose ID tokens should get in, such as a smoke-test
// service account. (serviceAccountAuthConfig does not belong here: with it,
// Dialogflow sends an access token, which the token verifiers refuse.)
// Emails are compared case-insensitively. It returns an error if an entry is
// malformed or if both lists are empty.
func NewAllowList(projectNumbers, emails []string) (AllowList, error) {
	var all []string
	for _, n := range projectNumbers {
		e, err := ServiceAgentEmail(n)
		if err != nil {
			return AllowList{}, err
		}
		all = append(all, e)
	}
	for _, e := range emails {
		if err := checkEmail(e); err != nil {
			return AllowList{}, err
		}
		all = append(all, strings.ToLower(e))
	}
	if len(all) == 0 {
		return AllowList{}, fmt.Errorf("auth: empty allow-list: name at least one agent project number or email")
	}
	slices.Sort(all)
	return AllowList{emails: slices.Compact(all)}, nil
}

// Contains reports whether email is on the list, ignoring case.
func (a AllowList) Contains(email string) bool {
	if email == "" {
		return false
	}
	_, found := slices.BinarySearch(a.emails, strings.ToLower(email))
	return found
}

// Emails returns the allowed emails, sorted and lower-cased.
func (a AllowList) Emails() []string {
	return slices.Clone(a.emails)
}

// checkEmail accepts local@domain.tld without spaces, controls or a second @.
func checkEmail(e string) error {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "@") || !isPrintableNoSpace(e) {
		return fmt.Errorf("auth: %q is not an email address", e)
	}
	return nil
}

// isPrintableNoSpace reports whether s is non-empty visible ASCII.
func isPrintableNoSpace(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
