package nlu

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Model is an agent's intents and entity types, indexed for matching and
// extraction. Prepare builds it; it is immutable afterwards and safe for
// concurrent use.
type Model struct {
	tz       *time.Location
	spell    bool
	intents  []intentEntry
	byName   map[string]int
	types    map[string]*customType
	vocab    map[string]int32
	words    []string
	idf      []float64
	oovW     float64 // weight of an utterance word no intent uses
	slotW    float64 // weight of an entity slot
	delIndex map[string][]int32
	phrases  []phraseEntry
	postings [][]int32          // vocabulary id → phrases using the word
	slotPost map[string][]int32 // entity type → phrases with a slot of it
	exact    map[string][]int32 // normalised phrase text → phrases
	detect   []string           // entity types that slots use, sorted
	fallback []int              // the negative intents
	warnings []string
	thresh   map[string]float64 // flow display name → classification threshold
	pool     sync.Pool          // of *scorer
}

type intentEntry struct {
	name     string // display name
	priority int    // 500000 for 0; negative: never matched
	fallback bool
	params   []Param
}

func (ie *intentEntry) param(id string) (Param, bool) {
	for _, p := range ie.params {
		if p.ID == id {
			return p, true
		}
	}
	return Param{}, false
}

type phraseEntry struct {
	intent int32
	text   string
	toks   []int32 // the vocabulary ids of the words outside slots
	slots  []slotEntry
	weight float64
}

type slotEntry struct {
	param      string
	etype      string  // without "@"
	literal    []int32 // the annotated example's words
	text       string
	example    string // the example's value, for a custom type; "" if none
	prev, next int32  // the words around the slot in the phrase, or -1
}

// Prepare indexes an agent for matching. It returns an error for what
// makes the agent unusable (an invalid regular expression, a language
// other than English, two intents with one name); what it only cannot
// reproduce is listed by Warnings.
func Prepare(cfg Config) (*Model, error) {
	if lc := strings.ToLower(cfg.LanguageCode); lc != "" && lc != "en" && !strings.HasPrefix(lc, "en-") {
		return nil, fmt.Errorf("nlu: language %q is not supported (English only)", cfg.LanguageCode)
	}
	m := &Model{
		tz:       cfg.TimeZone,
		spell:    cfg.SpellCorrection,
		byName:   map[string]int{},
		types:    map[string]*customType{},
		vocab:    map[string]int32{},
		delIndex: map[string][]int32{},
		slotPost: map[string][]int32{},
		exact:    map[string][]int32{},
		thresh:   map[string]float64{},
	}
	for flow, th := range cfg.Thresholds {
		if th < 0 || th > 1 || math.IsNaN(th) {
			return nil, fmt.Errorf("nlu: flow %q: classification threshold %v is not between 0 and 1", flow, th)
		}
		if th > 0 {
			m.thresh[flow] = th
		}
	}
	if m.tz == nil {
		m.tz = time.UTC
	}
	warn := func(format string, args ...any) { m.warnings = append(m.warnings, fmt.Sprintf(format, args...)) }
	for _, et := range cfg.EntityTypes {
		name := strings.TrimPrefix(et.DisplayName, "@")
		if _, dup := m.types[name]; dup {
			return nil, fmt.Errorf("nlu: two entity types are named @%s", name)
		}
		ct, err := compileType(et, warn)
		if err != nil {
			return nil, err
		}
		ct.name = name
		m.types[name] = ct
	}
	for _, ct := range m.sortedTypes() {
		for _, r := range ct.refs {
			if !m.knownType(r.target) {
				warn("entity type @%s refers to @%s, which is not defined here; that entry never matches", ct.name, r.target)
			}
		}
	}

	// Intents and their phrases; the vocabulary.
	id := func(w string) int32 {
		if v, ok := m.vocab[w]; ok {
			return v
		}
		v := int32(len(m.words))
		m.vocab[w] = v
		m.words = append(m.words, w)
		return v
	}
	var docFreq []int // per vocabulary id: intents using it
	detect := map[string]bool{}
	for ii, in := range cfg.Intents {
		if _, dup := m.byName[in.DisplayName]; dup {
			return nil, fmt.Errorf("nlu: two intents are named %q", in.DisplayName)
		}
		m.byName[in.DisplayName] = ii
		prio := in.Priority
		if prio == 0 {
			prio = normalPriority
		}
		m.intents = append(m.intents, intentEntry{name: in.DisplayName, priority: prio, fallback: in.IsFallback, params: in.Parameters})
		if in.IsFallback {
			m.fallback = append(m.fallback, ii)
		}
		ie := &m.intents[ii]
		for _, p := range in.Parameters {
			t := strings.TrimPrefix(p.EntityType, "@")
			if !m.knownType(t) {
				if strings.HasPrefix(t, "sys.") {
					warn("intent %q: parameter %q has type %s, which is not extracted here", in.DisplayName, p.ID, p.EntityType)
				} else {
					warn("intent %q: parameter %q has type %s, which is not defined", in.DisplayName, p.ID, p.EntityType)
				}
			}
		}
		seenInIntent := map[int32]bool{}
		for _, ph := range in.Phrases {
			pe := phraseEntry{intent: int32(ii), text: ph.Text()}
			var seq []int32 // the phrase's words in order, slots as -2-k
			for _, part := range ph.Parts {
				var p Param
				ok := false
				if part.ParameterID != "" {
					p, ok = ie.param(part.ParameterID)
					if !ok {
						warn("intent %q: a phrase annotates %q, which is not a parameter; read as text", in.DisplayName, part.ParameterID)
					}
				}
				toks := words(tokenize(part.Text))
				if !ok {
					for _, t := range toks {
						v := id(stem(t.norm))
						pe.toks = append(pe.toks, v)
						seq = append(seq, v)
					}
					continue
				}
				se := slotEntry{param: p.ID, etype: strings.TrimPrefix(p.EntityType, "@"), text: strings.TrimSpace(part.Text)}
				for _, t := range toks {
					se.literal = append(se.literal, id(stem(t.norm)))
				}
				if se.etype != "sys.any" {
					detect[se.etype] = true
				}
				if _, custom := m.types[se.etype]; custom {
					eu := newUtterance(part.Text, time.Unix(0, 0).In(m.tz))
					if sp := m.spans(eu, se.etype, 0, false); len(sp) == 1 && sp[0].ws == 0 && sp[0].we == len(eu.w) {
						se.example, _ = sp[0].value.(string)
					}
				}
				seq = append(seq, int32(-2-len(pe.slots)))
				pe.slots = append(pe.slots, se)
			}
			if len(seq) == 0 {
				continue
			}
			for k, v := range seq {
				if v >= 0 {
					continue
				}
				s := &pe.slots[-2-v]
				s.prev, s.next = -1, -1
				if k > 0 && seq[k-1] >= 0 {
					s.prev = seq[k-1]
				}
				if k+1 < len(seq) && seq[k+1] >= 0 {
					s.next = seq[k+1]
				}
			}
			for _, v := range pe.toks {
				seenInIntent[v] = true
			}
			for _, s := range pe.slots {
				for _, v := range s.literal {
					seenInIntent[v] = true
				}
			}
			m.phrases = append(m.phrases, pe)
		}
		for len(docFreq) < len(m.words) {
			docFreq = append(docFreq, 0)
		}
		for v := range seenInIntent {
			docFreq[v]++
		}
	}

	// Weights: a word used by few intents tells more than one used by all.
	n := float64(max(len(m.intents), 1))
	m.idf = make([]float64, len(m.words))
	sum := 0.0
	maxIdf := 0.0
	for v := range m.words {
		df := 1
		if v < len(docFreq) && docFreq[v] > 0 {
			df = docFreq[v]
		}
		m.idf[v] = math.Log(1 + n/float64(df))
		sum += m.idf[v]
		maxIdf = max(maxIdf, m.idf[v])
	}
	if len(m.words) > 0 {
		m.slotW = sum / float64(len(m.words))
	} else {
		m.slotW = 1
	}
	m.oovW = oovShare * math.Log(1+n)
	for i := range m.phrases {
		pe := &m.phrases[i]
		for _, v := range pe.toks {
			pe.weight += m.idf[v]
		}
		pe.weight += m.slotW * float64(len(pe.slots))
	}

	// Postings, exact texts, slot types, deletion index.
	m.postings = make([][]int32, len(m.words))
	for i := range m.phrases {
		pe := &m.phrases[i]
		pi := int32(i)
		add := func(v int32) {
			ps := m.postings[v]
			if len(ps) == 0 || ps[len(ps)-1] != pi {
				m.postings[v] = append(ps, pi)
			}
		}
		for _, v := range pe.toks {
			add(v)
		}
		for _, s := range pe.slots {
			for _, v := range s.literal {
				add(v)
			}
			ps := m.slotPost[s.etype]
			if len(ps) == 0 || ps[len(ps)-1] != pi {
				m.slotPost[s.etype] = append(ps, pi)
			}
		}
		if key := normalize(pe.text); key != "" {
			m.exact[key] = append(m.exact[key], pi)
		}
	}
	for v, w := range m.words {
		if maxEdits(len([]rune(w))) == 0 {
			continue
		}
		m.delIndex[w] = append(m.delIndex[w], int32(v))
		deletes(w, func(d string) {
			ids := m.delIndex[d]
			if len(ids) == 0 || ids[len(ids)-1] != int32(v) {
				m.delIndex[d] = append(ids, int32(v))
			}
		})
	}
	for t := range detect {
		if m.knownType(t) {
			m.detect = append(m.detect, t)
		}
	}
	sort.Strings(m.detect)
	return m, nil
}

// oovShare is the weight of a word no intent uses, as a share of the
// weight of a word only one intent uses: such a word says the utterance
// is about something else, but it may also be filler ("pls") or a typo
// too far off to correct.
const oovShare = 0.5

func (m *Model) sortedTypes() []*customType {
	names := make([]string, 0, len(m.types))
	for n := range m.types {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*customType, len(names))
	for i, n := range names {
		out[i] = m.types[n]
	}
	return out
}

// knownType reports whether t (without "@") can be extracted.
func (m *Model) knownType(t string) bool {
	if _, ok := systemTypes[t]; ok {
		return true
	}
	_, ok := m.types[t]
	return ok
}

// Warnings lists what Prepare found it cannot reproduce: automatic
// expansion, references to undefined entity types, parameters of types
// not extracted here. They are in a fixed order.
func (m *Model) Warnings() []string { return append([]string(nil), m.warnings...) }

// Threshold returns the classification threshold of the flow with the
// display name (Config.Thresholds): DefaultThreshold when the flow sets
// none or is not listed.
func (m *Model) Threshold(flow string) float64 {
	if th, ok := m.thresh[flow]; ok {
		return th
	}
	return DefaultThreshold
}

// TimeZone returns the time zone dates and times are resolved in.
func (m *Model) TimeZone() *time.Location { return m.tz }

// spans returns the spans of entity type t (without "@") in u; exact
// matches only unless fuzzy is set.
func (m *Model) spans(u *utterance, t string, depth int, fuzzy bool) []span {
	if depth > maxRefDepth {
		return nil
	}
	if !fuzzy {
		if s, ok := u.cache[t]; ok {
			return s
		}
	}
	var out []span
	if f, ok := systemTypes[t]; ok {
		out = f(u)
	} else if ct, ok := m.types[t]; ok {
		out = ct.find(m, u, depth, fuzzy)
	}
	if !fuzzy {
		if u.cache == nil {
			u.cache = map[string][]span{}
		}
		u.cache[t] = out
	}
	return out
}
