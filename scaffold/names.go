package scaffold

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// predeclared are Go's predeclared identifiers: declaring one at package
// level would shadow it in every file of the package.
var predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true, "complex128": true,
	"error": true, "float32": true, "float64": true, "int": true, "int8": true, "int16": true,
	"int32": true, "int64": true, "rune": true, "string": true, "uint": true, "uint8": true,
	"uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"true": true, "false": true, "iota": true, "nil": true,
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// words splits a display name into words: runs of letters and digits,
// anything else (spaces, punctuation, '_', '-', '.', ':') separating
// them. Letters and digits are those Go identifiers allow: Unicode letters
// and decimal digits. A lower-case letter followed by an upper-case one
// also ends a word ("checkSize" is "check", "Size"), and a run of
// upper-case letters ends before the last one when a lower-case letter
// follows ("URLCheck" is "URL", "Check").
func words(s string) []string {
	var out []string
	rs := []rune(s)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, string(rs[start:end]))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsLower(prev) && unicode.IsUpper(r):
			flush(i)
			start = i
		case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	return out
}

// exportedName returns a Go identifier for a display name that starts
// with an upper-case letter, as struct fields must for package json to
// see them: "delivery_time" is DeliveryTime, "frequent-flyer #" is
// FrequentFlyer. A name that starts with a digit or with a letter that
// has no upper case ("2nd_choice", "尺寸") gets prefix in front ("X2ndChoice",
// "X尺寸"); a name with no letter or digit is prefix alone.
func exportedName(s, prefix string) string {
	var b strings.Builder
	for _, w := range words(s) {
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[n:])
	}
	name := b.String()
	if r, _ := utf8.DecodeRuneInString(name); name == "" || !unicode.IsUpper(r) {
		name = prefix + name
	}
	return name
}

// unexportedName returns a Go identifier for a display name that starts
// with a lower-case letter where it can, for the package's own functions
// and types: "checkSize" stays checkSize, "Place Order" is placeOrder,
// "URL check" is urlCheck. A name that starts with a digit or has no
// letter or digit gets prefix in front ("2fa" is tag2fa); a letter without
// case ("尺寸") is kept as it is. The result may be a keyword or a
// predeclared name: [namespace] takes care of those.
func unexportedName(s, prefix string) string {
	ws := words(s)
	if len(ws) == 0 {
		return prefix
	}
	var b strings.Builder
	for i, w := range ws {
		if i == 0 {
			b.WriteString(lowerFirstWord(w))
			continue
		}
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[n:])
	}
	name := b.String()
	if r, _ := utf8.DecodeRuneInString(name); unicode.IsDigit(r) {
		name = prefix + exportedName(name, "")
	}
	return name
}

// lowerFirstWord lowers a word's leading capital, or all of it if it is
// an initialism ("URL", "ID").
func lowerFirstWord(w string) string {
	upper := true
	for _, r := range w {
		if unicode.IsLower(r) {
			upper = false
			break
		}
	}
	if upper {
		return strings.ToLower(w)
	}
	r, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToLower(r)) + w[n:]
}

// A namespace hands out identifiers unique within one scope (a package, or
// the fields of one struct).
type namespace struct {
	used     map[string]bool
	reserved map[string]bool
}

// newNamespace returns a namespace in which the reserved names (those the
// generated code declares or imports itself) are taken.
func newNamespace(reserved ...string) *namespace {
	ns := &namespace{used: map[string]bool{}, reserved: map[string]bool{}}
	for _, r := range reserved {
		ns.used[r] = true
		ns.reserved[r] = true
	}
	return ns
}

// take returns name, or name with a number after it ("checkSize2") if it
// is taken, and marks the result as taken. A keyword, a predeclared
// identifier or a reserved name gets suffix first ("func" with suffix
// "Handler" is funcHandler, "context" contextHandler).
func (ns *namespace) take(name, suffix string) string {
	if token.IsKeyword(name) || predeclared[name] || ns.reserved[name] || name == "_" {
		name += suffix
	}
	if !token.IsIdentifier(name) {
		// words and the prefixes above only make identifiers; this is a
		// safety net, not a path real names take.
		name = "x" + strconv.Itoa(len(ns.used))
	}
	base := name
	for n := 2; ns.used[name]; n++ {
		name = base + strconv.Itoa(n)
	}
	ns.used[name] = true
	return name
}

// fileNames hands out file names unique regardless of case (macOS and
// Windows file systems ignore case).
type fileNames struct {
	used map[string]bool
}

func newFileNames(reserved ...string) *fileNames {
	f := &fileNames{used: map[string]bool{}}
	for _, r := range reserved {
		f.used[strings.ToLower(r)] = true
	}
	return f
}

// take returns ident, lower-cased, + ".go", with a number if that is taken.
// Identifiers from [unexportedName] hold no '_', so the name never ends in
// _test.go or in a _GOOS or _GOARCH suffix that would make it a
// build-constrained file.
func (f *fileNames) take(ident string) string {
	base := strings.ToLower(ident)
	name := base + ".go"
	for n := 2; f.used[name]; n++ {
		name = base + strconv.Itoa(n) + ".go"
	}
	f.used[name] = true
	return name
}

// packageName returns the package name for a module path: its last
// element (the one before a /vN major-version suffix), lower-cased, with
// what a package name cannot hold left out; "function" if nothing is
// left, it starts with a digit, or it is a keyword or "main".
func packageName(modulePath string) string {
	elems := strings.Split(modulePath, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && isMajorSuffix(last) {
		last = elems[len(elems)-2]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(last) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' || token.IsKeyword(name) || name == "main" || predeclared[name] {
		return "function"
	}
	return name
}

func isMajorSuffix(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	_, err := strconv.Atoi(s[1:])
	return err == nil
}
