package nlu

import (
	"fmt"
	"slices"

	"strings"
	"time"
)

// Scope is a set of intents a turn may match: those of the routes in
// scope on the current page (the runtime works them out). The negative
// intents are always in it. Build one per page and reuse it.
type Scope struct {
	allowed []bool
	n       int
}

// Scope returns the scope made of the named intents (display names, as
// routes write them; a name that differs only by surrounding spaces is
// accepted). Unknown names are an error, which lists them all.
func (m *Model) Scope(displayNames ...string) (*Scope, error) {
	s := &Scope{allowed: make([]bool, len(m.intents))}
	var unknown []string
	for _, name := range displayNames {
		i, ok := m.byName[name]
		if !ok {
			i, ok = m.byTrimmedName(name)
		}
		if !ok {
			unknown = append(unknown, fmt.Sprintf("%q", name))
			continue
		}
		if !s.allowed[i] {
			s.allowed[i] = true
			s.n++
		}
	}
	for _, i := range m.fallback {
		s.allowed[i] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("nlu: unknown intents %s", strings.Join(unknown, ", "))
	}
	return s, nil
}

func (m *Model) byTrimmedName(name string) (int, bool) {
	name = strings.TrimSpace(name)
	for i := range m.intents {
		if strings.TrimSpace(m.intents[i].name) == name {
			return i, true
		}
	}
	return 0, false
}

// Len returns the number of intents named in the scope.
func (s *Scope) Len() int { return s.n }

func (s *Scope) has(i int) bool { return s == nil || s.allowed[i] }

// Request is one utterance to classify.
type Request struct {
	Text string
	// Scope limits the intents; nil means every intent of the model.
	Scope *Scope
	// Threshold is the flow's classificationThreshold; 0 means
	// DefaultThreshold.
	Threshold float64
	// Now is the session's clock, for relative dates and times; it is
	// read in the model's time zone. The zero time means time.Now().
	Now time.Time
}

// Value is one extracted value.
type Value struct {
	// Param is the intent parameter id, or the form parameter name.
	Param      string
	EntityType string // with its "@"
	// Resolved is the value in the shape Dialogflow sends in
	// sessionInfo.parameters: a string, a float64, a
	// map[string]any ({"year", "month", "day"} for @sys.date...), or
	// a []any for a list parameter.
	Resolved any
	// Original is the text the value was read from, as written.
	Original string
	// Fuzzy is set when the value came from fuzzy extraction.
	Fuzzy bool
}

// Unresolved is a parameter the matched phrase (or the form) asks for
// that could not be resolved: the caller can inject it, or treat it as
// not given. It is never filled with a guess.
type Unresolved struct {
	Param      string
	EntityType string
	// Text is the part of the utterance that stands where the phrase has
	// the parameter, when there is one.
	Text   string
	Reason string
}

// Candidate is one intent with its score.
type Candidate struct {
	Intent     string
	Confidence float64
}

// NoMatchReason says why an utterance matched no intent.
type NoMatchReason int

const (
	// Matched: an intent matched.
	Matched NoMatchReason = iota
	// BelowThreshold: the best intent scored below the threshold.
	BelowThreshold
	// NegativeIntent: the best match was a negative (fallback) intent.
	NegativeIntent
	// EmptyInput: the utterance has no words (CX raises no-input for
	// empty text).
	EmptyInput
	// FormFilledFirst: an intent matched, but Understand gave the turn to
	// the form parameter being prompted (see Understand).
	FormFilledFirst
)

func (r NoMatchReason) String() string {
	switch r {
	case Matched:
		return "matched"
	case BelowThreshold:
		return "below threshold"
	case NegativeIntent:
		return "negative intent"
	case EmptyInput:
		return "empty input"
	case FormFilledFirst:
		return "form filled first"
	}
	return fmt.Sprintf("NoMatchReason(%d)", int(r))
}

// Result is the outcome of Classify.
type Result struct {
	// Intent is the matched intent's display name; "" when none matched.
	Intent string
	// Confidence is the matched intent's score, in [0, 1]; for no match,
	// the best score seen.
	Confidence float64
	// Exact is set when the utterance is one of the intent's training
	// phrases, up to case, punctuation and spacing.
	Exact bool
	// Phrase is the text of the training phrase that matched best.
	Phrase string
	// Reason says why nothing matched, or Matched.
	Reason NoMatchReason
	// Parameters are the intent parameters read from the utterance
	// through the matched phrase's annotated parts, in the phrase's order.
	Parameters []Value
	// Unresolved are the matched phrase's parameters that stand in the
	// utterance but could not be resolved.
	Unresolved []Unresolved
	// Alternatives are the best intents in scope, best first, at most five,
	// the matched one included.
	Alternatives []Candidate
}

// maxAlternatives bounds Result.Alternatives.
const maxAlternatives = 5

// priorityMargin: among intents whose scores are within this much of the
// best, the one of higher priority wins. CX does not document how
// priority and score combine; this makes priority decide near ties only.
const priorityMargin = 0.05

// uword is one utterance word as the matcher sees it.
type uword struct {
	ids  []int32   // vocabulary words it may be: itself first, then misspelling candidates
	sims []float64 // similarity for each id
	w    float64   // its weight
}

// uspan is an entity value found in the utterance, for slots.
type uspan struct {
	ws, we int
	etype  string
	value  any
	score  float64
}

// prepared is an utterance ready for scoring.
type prepared struct {
	u      *utterance
	words  []uword
	spans  []uspan
	totalW float64
}

func (m *Model) prepareUtterance(u *utterance) *prepared {
	p := &prepared{u: u, words: make([]uword, len(u.w))}
	for i := range u.w {
		w := stem(u.norm(i))
		uw := &p.words[i]
		if v, ok := m.vocab[w]; ok {
			uw.ids = append(uw.ids, v)
			uw.sims = append(uw.sims, 1)
			uw.w = m.idf[v]
		} else {
			uw.w = m.oovW
			n := len([]rune(w))
			if !m.spell {
				p.totalW += uw.w
				continue
			}
			similarWords(w, m.delIndex, m.words, func(id int32, d int) {
				uw.ids = append(uw.ids, id)
				uw.sims = append(uw.sims, 1-float64(d)/float64(max(n, len([]rune(m.words[id])))))
			})
			if len(uw.ids) > 0 {
				// A corrected word weighs what the word it is taken for does.
				best := 0
				for k := range uw.ids {
					if uw.sims[k] > uw.sims[best] {
						best = k
					}
				}
				uw.w = m.idf[uw.ids[best]]
			}
		}
		p.totalW += uw.w
	}
	for _, t := range m.detect {
		for _, sp := range m.spans(u, t, 0, false) {
			p.spans = append(p.spans, uspan{ws: sp.ws, we: sp.we, etype: t, value: sp.value, score: sp.score})
		}
	}
	// A value inside a longer value of another type is not one: in
	// "Jan 25", "Jan" is a month, not the airport code JAN.
	kept := p.spans[:0]
	for i, a := range p.spans {
		inside := false
		for j, b := range p.spans {
			if i != j && b.ws <= a.ws && b.we >= a.we && b.we-b.ws > a.we-a.ws {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, a)
		}
	}
	p.spans = kept
	return p
}

// slotFill records how a phrase's slot was matched.
type slotFill struct {
	span    int // index in prepared.spans, or -1
	ws, we  int // words of the utterance, when literal
	literal bool
}

// scorer holds the scratch space of one classification.
type scorer struct {
	used  []bool
	fills []slotFill
	// Where each vocabulary word occurs in the utterance: head[v] is the
	// first entry of occ for word v when stamp[v] == gen, and the entries
	// chain through next. Stamping saves clearing the arrays per call.
	gen   uint32
	stamp []uint32
	head  []int32
	occ   []occurrence
	// Per intent and per phrase, reused across calls.
	best       []float64
	top3       [][3]float64
	bestPhrase []int32
	exact      []bool
	seen       []bool
}

type occurrence struct {
	word int32
	next int32
	sim  float64
}

func (m *Model) getScorer() *scorer {
	if sc, ok := m.pool.Get().(*scorer); ok {
		return sc
	}
	return &scorer{
		stamp:      make([]uint32, len(m.words)),
		head:       make([]int32, len(m.words)),
		best:       make([]float64, len(m.intents)),
		top3:       make([][3]float64, len(m.intents)),
		bestPhrase: make([]int32, len(m.intents)),
		exact:      make([]bool, len(m.intents)),
		seen:       make([]bool, len(m.phrases)),
	}
}

// index records where the utterance's words (and their corrections)
// occur.
func (sc *scorer) index(p *prepared) {
	sc.gen++
	if sc.gen == 0 { // wrapped: old stamps could collide
		clear(sc.stamp)
		sc.gen = 1
	}
	sc.occ = sc.occ[:0]
	for i := len(p.words) - 1; i >= 0; i-- {
		for k, v := range p.words[i].ids {
			next := int32(-1)
			if sc.stamp[v] == sc.gen {
				next = sc.head[v]
			}
			sc.stamp[v] = sc.gen
			sc.head[v] = int32(len(sc.occ))
			sc.occ = append(sc.occ, occurrence{word: int32(i), next: next, sim: p.words[i].sims[k]})
		}
	}
	if cap(sc.used) < len(p.words) {
		sc.used = make([]bool, len(p.words))
	}
}

// score is the weighted Dice similarity of the phrase and the utterance:
// twice the weight they share over the weight of both, where a word
// matches the same word or a likely misspelling of it (counted by its
// similarity), and a slot matches an entity value of its type, the
// value's words then counting as one slot.
func (m *Model) score(pe *phraseEntry, p *prepared, sc *scorer) float64 {
	used := sc.used[:len(p.words)]
	clear(used)
	sc.fills = sc.fills[:0]
	matched := 0.0
	for _, v := range pe.toks {
		if sc.stamp[v] != sc.gen {
			continue
		}
		bi, bs := -1, 0.0
		for o := sc.head[v]; o >= 0; o = sc.occ[o].next {
			oc := &sc.occ[o]
			if !used[oc.word] && oc.sim > bs {
				bi, bs = int(oc.word), oc.sim
				if bs == 1 {
					break
				}
			}
		}
		if bi >= 0 {
			used[bi] = true
			matched += bs * (m.idf[v] + p.words[bi].w)
		}
	}
	adjU := 0.0
	for si := range pe.slots {
		s := &pe.slots[si]
		fill := slotFill{span: -1}
		best, bestCtx := -1, -1
		for k := range p.spans {
			sp := &p.spans[k]
			if sp.etype != s.etype || !free(used, sp.ws, sp.we) {
				continue
			}
			ctx := 0
			if s.prev >= 0 && sp.ws > 0 && hasID(p.words[sp.ws-1].ids, s.prev) {
				ctx++
			}
			if s.next >= 0 && sp.we < len(p.words) && hasID(p.words[sp.we].ids, s.next) {
				ctx++
			}
			if ctx > bestCtx {
				best, bestCtx = k, ctx
			}
		}
		if best >= 0 {
			sp := &p.spans[best]
			fill.span = best
			fill.ws, fill.we = sp.ws, sp.we
			wsum := 0.0
			for i := sp.ws; i < sp.we; i++ {
				used[i] = true
				wsum += p.words[i].w
			}
			adjU += m.slotW - wsum
			credit := otherValueCredit
			if v, ok := sp.value.(string); (ok && v == s.example && v != "") || sameWords(p, sp.ws, sp.we, s.literal) {
				credit = 1
			}
			matched += 2 * m.slotW * sp.score * credit
		} else if ws, we, ok := literalAt(s.literal, p, used); ok {
			fill.ws, fill.we, fill.literal = ws, we, true
			wsum := 0.0
			for i := ws; i < we; i++ {
				used[i] = true
				wsum += p.words[i].w
			}
			adjU += m.slotW - wsum
			matched += 2 * m.slotW
		}
		sc.fills = append(sc.fills, fill)
	}
	den := pe.weight + p.totalW + adjU
	if den <= 0 {
		return 0
	}
	return min(matched/den, 1)
}

// otherValueCredit is how much a slot counts when the utterance has
// another value of its type than the phrase's example: "round trip"
// fills the slot of "[one way]" in flights.one_way_ticket, but the
// phrase "round trip" of flights.round_trip_ticket matches better.
const otherValueCredit = 0.8

// sameWords reports whether words [ws, we) of the utterance are the
// given vocabulary words.
func sameWords(p *prepared, ws, we int, lit []int32) bool {
	if we-ws != len(lit) {
		return false
	}
	for k, v := range lit {
		w := p.words[ws+k]
		if len(w.ids) == 0 || w.ids[0] != v || w.sims[0] != 1 {
			return false
		}
	}
	return true
}

func free(used []bool, ws, we int) bool {
	for i := ws; i < we; i++ {
		if used[i] {
			return false
		}
	}
	return true
}

func hasID(ids []int32, v int32) bool {
	for _, id := range ids {
		if id == v {
			return true
		}
	}
	return false
}

// literalAt finds the slot's example words, in order and together, among
// the unused words of the utterance.
func literalAt(lit []int32, p *prepared, used []bool) (int, int, bool) {
	if len(lit) == 0 {
		return 0, 0, false
	}
next:
	for i := 0; i+len(lit) <= len(p.words); i++ {
		for k, v := range lit {
			if used[i+k] || len(p.words[i+k].ids) == 0 || p.words[i+k].ids[0] != v || p.words[i+k].sims[0] != 1 {
				continue next
			}
		}
		return i, i + len(lit), true
	}
	return 0, 0, false
}

// Classify matches an utterance against the intents in scope.
//
// An utterance equal to a training phrase (up to case, punctuation and
// spacing) matches that phrase's intent with confidence 1. Otherwise
// every phrase sharing a word or an entity type with the utterance is
// scored (see the package documentation), each intent takes the score of
// its best phrase, and the best intent matches if it scores at least the
// threshold and is not a negative intent.
func (m *Model) Classify(req Request) Result {
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	u := newUtterance(req.Text, now.In(m.tz))
	return m.classify(u, req.Scope, req.Threshold)
}

func (m *Model) classify(u *utterance, scope *Scope, threshold float64) Result {
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	if len(u.w) == 0 {
		return Result{Reason: EmptyInput}
	}
	p := m.prepareUtterance(u)
	sc := m.getScorer()
	defer m.pool.Put(sc)
	sc.index(p)
	best, top3, bestPhrase, exactIntent := sc.best, sc.top3, sc.bestPhrase, sc.exact
	clear(best)
	clear(top3)
	clear(exactIntent)
	for i := range bestPhrase {
		bestPhrase[i] = -1
	}
	if ids, ok := m.exact[u.joined(0, len(u.w))]; ok {
		for _, pi := range ids {
			ii := m.phrases[pi].intent
			if scope.has(int(ii)) && m.intents[ii].priority >= 0 && !exactIntent[ii] {
				exactIntent[ii] = true
				best[ii] = 1
				bestPhrase[ii] = pi
			}
		}
	}
	seen := sc.seen
	clear(seen)
	visit := func(pi int32) {
		if seen[pi] {
			return
		}
		seen[pi] = true
		pe := &m.phrases[pi]
		ii := pe.intent
		if !scope.has(int(ii)) || m.intents[ii].priority < 0 {
			return
		}
		s := m.score(pe, p, sc)
		t := &top3[ii]
		switch {
		case s > t[0]:
			t[0], t[1], t[2] = s, t[0], t[1]
		case s > t[1]:
			t[1], t[2] = s, t[1]
		case s > t[2]:
			t[2] = s
		}
		if !exactIntent[ii] && s > best[ii] {
			best[ii] = s
			bestPhrase[ii] = pi
		}
	}
	for i := range p.words {
		for _, id := range p.words[i].ids {
			for _, pi := range m.postings[id] {
				visit(pi)
			}
		}
	}
	var visitedType []string
	for _, sp := range p.spans {
		if slices.Contains(visitedType, sp.etype) {
			continue
		}
		visitedType = append(visitedType, sp.etype)
		for _, pi := range m.slotPost[sp.etype] {
			visit(pi)
		}
	}

	// Rank: an exact phrase first; then the score; equal scores by the
	// intent's next best phrases (the intent with more phrases near the
	// utterance), then the model's order. Among intents within
	// priorityMargin of the best, a higher priority wins.
	before := func(x, y int) bool {
		if exactIntent[x] != exactIntent[y] {
			return exactIntent[x]
		}
		if d := best[x] - best[y]; d > 1e-9 || d < -1e-9 {
			return d > 0
		}
		return top3[x][1]+top3[x][2] > top3[y][1]+top3[y][2]+1e-9
	}
	// The best few, by selection: the ranking of the rest is not needed.
	var ranked []int
	taken := func(i int) bool { return slices.Contains(ranked, i) }
	for len(ranked) < maxAlternatives+4 {
		pick := -1
		for i := range m.intents {
			if bestPhrase[i] < 0 || best[i] <= 0 || taken(i) {
				continue
			}
			if pick < 0 || before(i, pick) {
				pick = i
			}
		}
		if pick < 0 {
			break
		}
		ranked = append(ranked, pick)
	}
	if len(ranked) == 0 {
		return Result{Reason: BelowThreshold}
	}
	top := ranked[0]
	for _, i := range ranked[1:] {
		if best[top]-best[i] > priorityMargin || exactIntent[i] != exactIntent[ranked[0]] {
			break
		}
		if m.intents[i].priority > m.intents[top].priority {
			top = i
		}
	}
	res := Result{Confidence: best[top]}
	res.Alternatives = append(res.Alternatives, Candidate{Intent: m.intents[top].name, Confidence: best[top]})
	for _, i := range ranked {
		if len(res.Alternatives) == maxAlternatives {
			break
		}
		if i != top {
			res.Alternatives = append(res.Alternatives, Candidate{Intent: m.intents[i].name, Confidence: best[i]})
		}
	}
	switch {
	case m.intents[top].fallback:
		res.Reason = NegativeIntent
		return res
	case best[top] < threshold:
		res.Reason = BelowThreshold
		return res
	}
	pe := &m.phrases[bestPhrase[top]]
	res.Intent = m.intents[top].name
	res.Exact = exactIntent[top]
	res.Phrase = pe.text
	res.Parameters, res.Unresolved = m.parameters(pe, p, sc)
	return res
}

// parameters reads the matched phrase's slots from the utterance.
func (m *Model) parameters(pe *phraseEntry, p *prepared, sc *scorer) ([]Value, []Unresolved) {
	ie := &m.intents[pe.intent]
	m.score(pe, p, sc) // align again: sc.fills now belongs to pe
	var vals []Value
	var unres []Unresolved
	for k, s := range pe.slots {
		f := sc.fills[k]
		param, _ := ie.param(s.param)
		switch {
		case f.span >= 0:
			sp := p.spans[f.span]
			vals = addValue(vals, param, sp.value, p.u.original(sp.ws, sp.we))
		case f.literal:
			text := p.u.original(f.ws, f.we)
			if s.etype == "sys.any" {
				vals = addValue(vals, param, text, text)
				continue
			}
			reason := fmt.Sprintf("%q is not a value of @%s", text, s.etype)
			if !m.knownType(s.etype) {
				reason = fmt.Sprintf("@%s is not extracted here", s.etype)
			}
			unres = append(unres, Unresolved{Param: s.param, EntityType: param.EntityType, Text: text, Reason: reason})
		}
	}
	return vals, unres
}

// addValue adds a value for param, appending to the list of a list
// parameter that already has one.
func addValue(vals []Value, param Param, v any, original string) []Value {
	if param.IsList {
		for k := range vals {
			if vals[k].Param == param.ID {
				vals[k].Resolved = append(vals[k].Resolved.([]any), v)
				vals[k].Original += ", " + original
				return vals
			}
		}
		v = []any{v}
	}
	for _, have := range vals {
		if have.Param == param.ID {
			return vals // a non-list parameter keeps its first value
		}
	}
	return append(vals, Value{Param: param.ID, EntityType: param.EntityType, Resolved: v, Original: original})
}
