package nlu

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// systemTypes are the system entity types extracted here, by name
// without the "@".
var systemTypes = map[string]func(*utterance) []span{
	"sys.number":          numberSpans,
	"sys.number-integer":  integerSpans,
	"sys.number-sequence": sequenceSpans,
	"sys.date":            dateSpans,
	"sys.time":            timeSpans,
	"sys.date-time":       dateTimeSpans,
	"sys.duration":        durationSpans,
	"sys.email":           emailSpans,
	"sys.phone-number":    phoneSpans,
	"sys.zip-code":        zipSpans,
	"sys.url":             urlSpans,
	"sys.any":             anySpans,
	"sys.person":          personSpans,
	"sys.unit-currency":   currencySpans,
	"sys.geo-city":        citySpans,
	"sys.geo-country":     countrySpans,
	"sys.geo-state":       stateSpans,
	"sys.address":         addressSpans,
}

// SystemEntityTypes returns the system entity types this package
// extracts, sorted, with their "@".
func SystemEntityTypes() []string {
	out := make([]string, 0, len(systemTypes))
	for name := range systemTypes {
		out = append(out, "@"+name)
	}
	sort.Strings(out)
	return out
}

// maxRefDepth bounds how deep entity types may refer to each other
// ("@origin-city" → "@airport-codes"); deeper references, and cycles,
// extract nothing.
const maxRefDepth = 4

// synonym is one synonym of a custom type's dictionary.
type synonym struct {
	entry int
	raw   string
}

// typeRef is an entry that refers to another entity type.
type typeRef struct {
	entry  int
	target string // without "@"
	alias  string
}

// fuzzySyn is one synonym prepared for fuzzy extraction.
type fuzzySyn struct {
	entry int
	words []string
	w     []float64
	total float64
	rare  []bool // the word is distinctive within the type
	runes []int  // the words' lengths in runes
}

// customType is a custom entity type prepared for extraction.
type customType struct {
	name     string
	kind     Kind
	values   []string
	dict     map[string][]synonym
	maxWords int
	refs     []typeRef
	res      []*regexp.Regexp
	excluded []string // normalised
	fuzzy    bool
	fsyn     []fuzzySyn
}

// parseRef reads "@type" or "@type:alias".
func parseRef(s string) (target, alias string, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "@") || strings.ContainsAny(s, " \t") {
		return "", "", false
	}
	s = s[1:]
	target, alias, _ = strings.Cut(s, ":")
	return target, alias, target != ""
}

func compileType(et EntityType, warn func(string, ...any)) (*customType, error) {
	ct := &customType{name: et.DisplayName, kind: et.Kind, dict: map[string][]synonym{}, fuzzy: et.EnableFuzzyExtraction}
	if et.AutoExpansion {
		warn("entity type @%s: automatic expansion is not reproduced; only its listed entries are extracted", et.DisplayName)
	}
	for i, e := range et.Entities {
		ct.values = append(ct.values, e.Value)
		if et.Kind == KindRegexp {
			re, err := regexp.Compile(e.Value)
			if err != nil {
				return nil, fmt.Errorf("nlu: entity type @%s: entry %d: %v", et.DisplayName, i, err)
			}
			ct.res = append(ct.res, re)
			continue
		}
		syns := e.Synonyms
		if et.Kind == KindList || len(syns) == 0 {
			// A list entity's entries are their own synonyms.
			syns = append([]string{e.Value}, syns...)
		}
		for _, s := range syns {
			if target, alias, ok := parseRef(s); ok {
				ct.refs = append(ct.refs, typeRef{entry: i, target: target, alias: alias})
				continue
			}
			if strings.Contains(s, "@") && strings.Contains(s, " @") {
				warn("entity type @%s: synonym %q mixes text and entity references, which is not supported; it is matched as text", et.DisplayName, s)
			}
			key := normalize(s)
			if key == "" {
				continue
			}
			dup := false
			for _, have := range ct.dict[key] {
				if have.entry == i && have.raw == s {
					dup = true
				}
			}
			if !dup {
				ct.dict[key] = append(ct.dict[key], synonym{entry: i, raw: s})
			}
			ct.maxWords = max(ct.maxWords, strings.Count(key, " ")+1)
		}
	}
	// Excluded phrases, and the fuzzy index.
	for _, p := range et.ExcludedPhrases {
		if k := normalize(p); k != "" {
			ct.excluded = append(ct.excluded, k)
		}
	}
	if ct.fuzzy {
		ct.prepareFuzzy()
	}
	return ct, nil
}

// prepareFuzzy weighs each word of each synonym by its rarity among the
// type's synonyms, so that "Kennedy" counts and "airport" hardly does.
func (ct *customType) prepareFuzzy() {
	keys := make([]string, 0, len(ct.dict))
	for k := range ct.dict {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	df := map[string]int{}
	for _, k := range keys {
		seen := map[string]bool{}
		for _, w := range strings.Fields(k) {
			if !seen[w] {
				df[w]++
				seen[w] = true
			}
		}
	}
	n := float64(len(keys))
	for _, k := range keys {
		ws := strings.Fields(k)
		for _, s := range ct.dict[k] {
			if isCode(s.raw) {
				continue // a code matches exactly or not at all
			}
			f := fuzzySyn{entry: s.entry, words: ws}
			for _, w := range ws {
				wt := math.Log(1 + n/float64(df[w]))
				f.w = append(f.w, wt)
				f.total += wt
				f.rare = append(f.rare, df[w] <= 3)
				f.runes = append(f.runes, utf8.RuneCountInString(w))
			}
			ct.fsyn = append(ct.fsyn, f)
		}
	}
}

// isCode reports whether a synonym is a code written in capitals, two to
// four letters ("SFO", "JAN", "BAD"): such a synonym matches only text in
// capitals, or an utterance of that one word ("sfo" answering "which
// airport?"), since in lower case it is often a word ("jan 5", "a bad
// flight").
func isCode(raw string) bool {
	s := strings.TrimSpace(raw)
	if len(s) < 2 || len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// withoutCodes returns the synonyms that are not codes.
func withoutCodes(syns []synonym) []synonym {
	var out []synonym
	for _, s := range syns {
		if !isCode(s.raw) {
			out = append(out, s)
		}
	}
	return out
}

// bestSynonym picks among the entries sharing a normalised synonym: the
// one whose synonym is written closest to what the user wrote (fewest
// extra characters, such as the tabs some exports carry: "Seattle" is
// SEA, not BFI's "Seattle\t\t"), then the first listed.
func bestSynonym(syns []synonym, said string) synonym {
	best := syns[0]
	bestDiff := math.MaxInt
	for _, s := range syns {
		d := utf8.RuneCountInString(s.raw) - utf8.RuneCountInString(said)
		if d < 0 {
			d = -d
		}
		if strings.EqualFold(s.raw, said) {
			d = -1
		}
		if d < bestDiff || (d == bestDiff && s.entry < best.entry) {
			best, bestDiff = s, d
		}
	}
	return best
}

// find returns the spans of ct in u. Exact matches of synonyms, of
// referenced types and of regular expressions come first; when there is
// none and fuzzy is asked for and enabled, the best fuzzy match.
func (ct *customType) find(m *Model, u *utterance, depth int, fuzzy bool) []span {
	var out []span
	for i := 0; i < len(u.w); i++ {
		for n := min(ct.maxWords, len(u.w)-i); n >= 1; n-- {
			syns, ok := ct.dict[u.joined(i, i+n)]
			if !ok {
				continue
			}
			said := u.original(i, i+n)
			if len(u.w) > 1 && strings.ToUpper(said) != said {
				syns = withoutCodes(syns)
				if len(syns) == 0 {
					continue
				}
			}
			s := bestSynonym(syns, said)
			out = append(out, span{ws: i, we: i + n, value: ct.values[s.entry], score: 1})
			break
		}
	}
	for _, r := range ct.refs {
		for _, sp := range m.spans(u, r.target, depth+1, false) {
			v := sp.value
			if ct.kind == KindMap {
				// A map entry's value is its value, even when its synonym
				// is a reference: the flight agent's "@origin-city" has the
				// entry value "@airport-codes", and CX sends that string
				// (recorded: "departure_city": ["@airport-codes"]).
				v = ct.values[r.entry]
			} else if r.alias != "" {
				v = map[string]any{r.alias: sp.value}
			}
			out = append(out, span{ws: sp.ws, we: sp.we, value: v, score: sp.score})
		}
	}
	for _, re := range ct.res {
		for _, loc := range re.FindAllStringIndex(u.text, -1) {
			if ws, we, ok := u.wordRange(loc[0], loc[1]); ok {
				out = append(out, span{ws: ws, we: we, value: u.text[loc[0]:loc[1]], score: 1})
			}
		}
	}
	out = ct.dropExcluded(u, out)
	out = dropOverlaps(out)
	if len(out) == 0 && fuzzy && ct.fuzzy {
		if sp, ok := ct.findFuzzy(u); ok {
			out = ct.dropExcluded(u, []span{sp})
		}
	}
	return out
}

// dropExcluded removes the spans that lie inside an occurrence of an
// excluded phrase.
func (ct *customType) dropExcluded(u *utterance, spans []span) []span {
	if len(ct.excluded) == 0 || len(spans) == 0 {
		return spans
	}
	var ranges [][2]int
	for _, ex := range ct.excluded {
		n := strings.Count(ex, " ") + 1
		for i := 0; i+n <= len(u.w); i++ {
			if u.joined(i, i+n) == ex {
				ranges = append(ranges, [2]int{i, i + n})
			}
		}
	}
	out := spans[:0]
	for _, sp := range spans {
		inside := false
		for _, r := range ranges {
			if sp.ws >= r[0] && sp.we <= r[1] {
				inside = true
			}
		}
		if !inside {
			out = append(out, sp)
		}
	}
	return out
}

// fuzzyMinScore is the share of a synonym's weight that an utterance must
// match, exactly or within a typing error per word, for fuzzy
// extraction; at least one matched word must also be distinctive (used
// by at most three of the type's synonyms), so that "any airport works"
// matches no airport.
const fuzzyMinScore = 0.5

func (ct *customType) findFuzzy(u *utterance) (span, bool) {
	best := span{score: 0}
	bestWords := 0
	found := false
	used := make([]bool, len(u.w))
	runes := make([]int, len(u.w))
	for i := range u.w {
		runes[i] = utf8.RuneCountInString(u.norm(i))
	}
	for _, f := range ct.fsyn {
		clear(used)
		matched := 0.0
		rare := false
		ws, we := len(u.w), -1
		nw := 0
		for k, sw := range f.words {
			bestI, bestSim := -1, 0.0
			for i := range u.w {
				if used[i] {
					continue
				}
				w := u.norm(i)
				sim := 0.0
				if w == sw {
					sim = 1
				} else if kmax := min(maxEdits(runes[i]), maxEdits(f.runes[k])); kmax > 0 && runes[i]-f.runes[k] <= kmax && f.runes[k]-runes[i] <= kmax {
					if d := editDistance(w, sw, kmax); d <= kmax {
						sim = 1 - float64(d)/float64(max(runes[i], f.runes[k]))
					}
				}
				if sim > bestSim {
					bestI, bestSim = i, sim
				}
			}
			if bestI < 0 {
				continue
			}
			used[bestI] = true
			matched += f.w[k] * bestSim
			rare = rare || f.rare[k]
			ws, we = min(ws, bestI), max(we, bestI+1)
			nw++
		}
		if !rare || f.total == 0 {
			continue
		}
		score := matched / f.total
		if score < fuzzyMinScore {
			continue
		}
		if !found || score > best.score || (score == best.score && nw > bestWords) {
			best = span{ws: ws, we: we, value: ct.values[f.entry], score: score}
			bestWords = nw
			found = true
		}
	}
	return best, found
}

// dropOverlaps sorts spans by position and keeps, of overlapping ones,
// the earlier and then the longer.
func dropOverlaps(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].ws != spans[j].ws {
			return spans[i].ws < spans[j].ws
		}
		return spans[i].we > spans[j].we
	})
	out := spans[:1]
	for _, sp := range spans[1:] {
		if sp.ws >= out[len(out)-1].we {
			out = append(out, sp)
		}
	}
	return out
}
