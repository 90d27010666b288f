package nlu

import "unicode/utf8"

// Misspelled words are found through a deletion index (the SymSpell
// idea): every vocabulary word is stored under itself and under each
// string made by deleting one of its characters. Two words within one
// edit (insertion, deletion, substitution or swap of neighbours) share a
// key, so candidates come from a few map look-ups, and each is then
// checked with an exact distance.

// maxEdits is how many edits a word of n letters may be from the word it
// is taken for: none below 4 letters ("no" is not "so"), one from 4, two
// from 8. Short words stay exact because one edit changes them too much.
func maxEdits(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// deletes calls f with each string made by deleting one rune of s.
func deletes(s string, f func(string)) {
	for i, r := range s {
		f(s[:i] + s[i+utf8.RuneLen(r):])
	}
}

// editDistance is the optimal-string-alignment distance between a and b
// (Levenshtein plus the swap of two neighbouring runes), or max+1 when it
// is greater than max. Short ASCII words, the usual case, are compared
// without allocating.
func editDistance(a, b string, max int) int {
	if isASCII(a) && isASCII(b) && len(a) < 32 && len(b) < 32 {
		var rows [3][32]int
		return osa(len(a), len(b), func(i, j int) bool { return a[i] == b[j] }, rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1], max)
	}
	ra, rb := []rune(a), []rune(b)
	rows := make([]int, 3*(len(rb)+1))
	n := len(rb) + 1
	return osa(len(ra), len(rb), func(i, j int) bool { return ra[i] == rb[j] }, rows[:n], rows[n:2*n], rows[2*n:], max)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// osa runs the dynamic programme on strings of lengths la and lb whose
// characters eq compares, in three rows of lb+1 cells.
func osa(la, lb int, eq func(i, j int) bool, prev2, prev, cur []int, max int) int {
	if d := la - lb; d > max || -d > max {
		return max + 1
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= lb; j++ {
			cost := 1
			if eq(i-1, j-1) {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && eq(i-1, j-2) && eq(i-2, j-1) {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[lb] > max {
		return max + 1
	}
	return prev[lb]
}

// similarWords finds the vocabulary words within maxEdits of w. index
// maps each key (a word or a word with one rune deleted) to word ids; it
// finds every word within one edit and, for long words, those within two
// edits that share a one-deletion key (a swap or one substitution plus a
// deletion), which covers the usual typing errors. f is called once per
// word found, in the index's order, which Prepare builds deterministically.
func similarWords(w string, index map[string][]int32, vocab []string, f func(id int32, dist int)) {
	k := maxEdits(utf8.RuneCountInString(w))
	if k == 0 {
		return
	}
	var seen []int32
	check := func(ids []int32) {
		for _, id := range ids {
			dup := false
			for _, s := range seen {
				if s == id {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			seen = append(seen, id)
			v := vocab[id]
			if v == w {
				continue
			}
			kv := min(k, maxEdits(utf8.RuneCountInString(v)))
			if kv == 0 {
				continue
			}
			if d := editDistance(w, v, kv); d <= kv {
				f(id, d)
			}
		}
	}
	check(index[w])
	deletes(w, func(d string) { check(index[d]) })
}
