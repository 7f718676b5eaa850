package joblog

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"iter"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// maxRules is how many rules a ruleMask can hold.
const maxRules = 128

// ruleMask is a set of rule indexes.
type ruleMask [maxRules / 64]uint64

func (m *ruleMask) set(i int)            { m[i>>6] |= 1 << (i & 63) }
func (m *ruleMask) has(i int) bool       { return m[i>>6]&(1<<(i&63)) != 0 }
func (m *ruleMask) or(o *ruleMask)       { m[0] |= o[0]; m[1] |= o[1] }
func (m *ruleMask) any(o *ruleMask) bool { return m[0]&o[0] != 0 || m[1]&o[1] != 0 }
func (m *ruleMask) isZero() bool         { return m[0]|m[1] == 0 }

// indexes yields the indexes in the set below n, in increasing order.
func (m *ruleMask) indexes(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for w, x := range m {
			for ; x != 0; x &= x - 1 {
				i := w<<6 | bits.TrailingZeros64(x)
				if i >= n || !yield(i) {
					return
				}
			}
		}
	}
}

// keyword is one compiled keyword of a rule.
//
// Keyword syntax: a lower-case literal, matched with ASCII case ignored.
// A leading "^" asks for the literal at the start of the line, after any
// indentation; a leading or trailing `\b` asks for a word boundary there
// (the neighbouring byte is not a letter, a digit or '_'); a leading "!-"
// turns the literal away right after a '-', and a trailing "!." right
// before a '.' and a letter, where it is part of a name
// ("x86_64-unknown-linux-gnu", "--no-fail-fast", "Error.swift") rather
// than a word of a message.
type keyword struct {
	text string // the literal, lower case
	// head holds the literal's first 8 bytes (little endian), and
	// headMask the bytes of head the literal has.
	head, headMask uint64
	rule           int
	anchor         int  // offset in text of the bytes the prefilter looks for
	lineStart      bool // "^"
	wordStart      bool // leading `\b`
	notAfterHyphen bool // leading "!-"
	notBeforeExt   bool // trailing "!."
	wordEnd        bool // trailing `\b`
}

// parseKeyword reads the keyword syntax. Keywords not bound to the start of
// the line need minLen bytes.
func parseKeyword(s string, rule, minLen int) (keyword, error) {
	k := keyword{rule: rule}
	if strings.HasPrefix(s, "^") {
		k.lineStart, s = true, s[1:]
	}
	if strings.HasPrefix(s, "!-") {
		k.notAfterHyphen, s = true, s[2:]
	}
	if strings.HasPrefix(s, `\b`) {
		k.wordStart, s = true, s[2:]
	}
	if strings.HasSuffix(s, `\b`) {
		k.wordEnd, s = true, s[:len(s)-2]
	}
	if strings.HasSuffix(s, "!.") {
		k.notBeforeExt, s = true, s[:len(s)-2]
	}
	switch {
	case strings.ToLower(s) != s:
		return k, fmt.Errorf("keyword %q is not lower case", s)
	case len(s) == 0 || len(s) < minLen && !k.lineStart:
		return k, fmt.Errorf("keyword %q is too short: %d bytes, or 1 at the start of the line", s, minLen)
	}
	k.text = s
	k.head, k.headMask = head8(s)
	if !k.lineStart {
		k.anchor = rarestGram(s, min(minLen, 4))
	}
	return k, nil
}

// head8 returns the first 8 bytes of s (fewer when s is shorter), little
// endian, and the mask of the bytes it has.
func head8(s string) (head, mask uint64) {
	for j := 0; j < len(s) && j < 8; j++ {
		head |= uint64(s[j]) << (8 * j)
		mask |= 0xff << (8 * j)
	}
	return head, mask
}

// pairFreq estimates how often two adjacent bytes occur in CI logs: entry
// 29*x+y holds, in base 36, twice the base-2 logarithm of the frequency per
// million of the byte classes x then y (a-z with case folded, space, digit,
// any other byte), measured on a corpus of real CI logs with ANSI removed.
// It breaks ties between keyword anchors of equal rank.
const pairFreq = "" +
	"eknmegk9k7goln7l5onoimdfhckklkefdkce8in7kbciaaghdm87bi9ijnncidmc9mh5mjg9pg7jioj97be7ijm" +
	"kfeiofe9mabhecle7fhgi999d5nkomjpojkibkebmnofkhqpngihnh8ojqkcceihe5m47iabma8ifhj685d4ijj" +
	"ecdbmafhl74gbhid6kidg7727bpcmkdcbm838j58fb8mf7hdlk964a2kckilkkjjk585ennrnjbjnobl8g6fehi" +
	"h489n744933865h786g4eb73734achf8bkadcj86cadc989hcc9f385kalndclod98o5amcame2bkkli95h6ldm" +
	"mlbhof68k7aghfnmcckch966c6kfolclnmkqblagjdilibbmojk96f7ngojnlkfji8femlopjk5oknmikg98kfm" +
	"maegm9bhj5akeblj5mklkac7h3igk34754654523d7457a86bj4427799eogjhqgjbm9hhikne4jmlmiabi5mcn" +
	"idldodeln6hhdfljfjmpjcf7j7oerocigqhbnp88iicnl6nomjdfck8olpilggkeh6l29ljobj2kmm8b4g47ffi" +
	"k995n673o456ebe527d86563c4eggk989h89hk36b7jh89ff875e644f9gd7e9ia87h97fg78h39bk776ca7hfk" +
	"d9aae785ca7cffei7cig787866kdlb346f448h248649334857544a8eadnlommnklmfglnlomdmnolkleebwrt" +
	"kjjkjjbb9ccaha9f9ajff99cbfqwummommmmmnjgmmnmneppplkkhdhutx"

func byteClass(c byte) int {
	c |= 0x20
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c == ' ':
		return 26
	case c >= '0' && c <= '9':
		return 27
	}
	return 28
}

// pairCost is how common the pair a, b is, from 0 (never seen) to 35.
func pairCost(a, b byte) int {
	d := pairFreq[byteClass(a)*29+byteClass(b)]
	if d <= '9' {
		return int(d - '0')
	}
	return int(d-'a') + 10
}

// commonTriples holds the most frequent three-byte sequences of real CI
// logs (ANSI and section markers removed, each byte ORed with 0x20 as the
// prefilter folds them), the most frequent first. A keyword is anchored on
// bytes whose triples are outside this list when it has some.
const commonTriples = "" +
	"   ===...ingng   -ects: :  com% (ion-reestjecobj co)  bje obtests: -rg octs---tratioe: tinresed " +
	"0.0emostaremote: cvisithte:motavi inverctirunravteressateompuntvinerslinprecalrecfor 0.httttpted" +
	".coomeme/ati re tegite/tseroun de okall rualasca/trreatexntivim (1extandom/enthomilesinor is/con" +
	" ht ex/hoon ssiack://uilbui - thetimildpro  1inf/tethucouhub mbnfoeceb.cub.checeieivimen   palib" +
	"er  todines g: onsins seivi foms  lisiotpsps:s:/nst msamefilail 20taracttalnteist  0 noin  thuse" +
	".00rat201nvipecpacmprnamiveendun ageok s oodeasedowto ownposok-getnd  wi/bu } ', arn/gist ###wit" +
	"art  }rsi' 'war/10.0.blests),  = g ddel{ r miloa  2 --{in ..-- defrom//gint prdatesoead10 errhe " +
	"toroad (2asso} abl dofo}at ninm/nper/re us/nv fith parlat.scsetle inespebasare ' putsol ',ng:, '" +
	"ld/ /h/m/ ven/1 10/n/s/bon-tas ant1/|t1ndenot. hadistegravalvenund stolvindracstrfromb/uncdepk  " +
	"eckb--ll lanst/heccolrrois mb-syseltrord: erv, :.. cat  3oreltafunlesleclvifinockxtrout  5  4usr" +
	"typypeerese  bunloherdisoneas:eraernerttabwnl (3 naces0% } texpove1) im-iteed-appre  at{}{}{}ult" +
	"ilsdocg taddner (0100  6om bunkin  7 fr==-trua   ons,  poortworrinndolasorg0.1exe+    8la s/t/li" +
	"nct  9rep: e isostsedininalhars (t: rvesha00 nt patopeder unal triantangt sib/er.8)  ad bees/ gi" +
	"ts roueleuteorkave/? ckere/han farteplepenredptitivim/: mys berst.r  te -inen ot ret(0.lle/scmen" +
	"modequit achseccod/coull/geont of me: n/ru..- + railogs/ngro vafai, {->  ->flaureenc4) m/mckapor" +
	", psr 1.1000of chaett mampi di\",  { : 1pilkagsrcckiex/me:5% ataommm/g}|ttch 1.== {}|locne > 0 a " +
	"lue.0  trut dirqueighalu whlli9) ls/019t f (4rc/ chrn/rniademplefi/ma  atat: dathormreft c: /mbe" +
	"2) enewebe clis (eigr wa{wa6% ecocregess =bin cl2% matmib/ra3% arg0) manet 7% 8% sone t6 mrenn: " +
	"genntu4% 1% .1.1/pavainp, fide:st caledkey flecu/pteataulubume tm/9% 5) ptm1.0efa ==3) fauaramig" +
	"inc sualsinupasran | s fs tde ncemapten9 m- rellnpucce= 2s a/zist-e aethtopmesmavourthozi4 (5ct " +
	"eves/r4/muni syashdeb|n ghtdle1/zakewhet treqginon:ssei4/cte/shruelerer-7) leafalnit(em 0 mincla" +
	"tro (sn} irenuxbsendle se ieritemle.nodrcege emp2.1ns tooili0 -xectlaluaer:8 md pr: .shrn} mosh " +
	" scnneainold.or cuaridedscrm/rngskeran -li-coa: .rb loemb.deoptld ialrg/s)- fuecaetejavautritby " +
	".0-la/e=\"0 sacepancorg ccur nexpee,  byseled:medsho 11 (6etrtre  c dabugttee f6) es- 12cut ha?  "

// rarestGram returns the offset of the least common run of width (3 or 4)
// bytes of s. A run of 4 bytes is judged first by its rank among the
// common grams of CI logs (commonGrams): one outside them is rarer than
// any in them. Runs are then judged by their triples (their rank among the
// common triples, then the cost of their pairs), and runs of four letters
// rank after the others: a run that spans a word boundary is much rarer
// than its triples suggest, while four letters are often the inside of a
// common word.
func rarestGram(s string, width int) int {
	best, bestCost := 0, 1<<62
	for i := 0; i+width <= len(s); i++ {
		c := 0
		for j := i; j+3 <= i+width; j++ {
			t := [3]byte{s[j] | 0x20, s[j+1] | 0x20, s[j+2] | 0x20}
			c = max(c, tripleRank[t]*100+pairCost(s[j], s[j+1])+pairCost(s[j+1], s[j+2]))
		}
		if width == 4 && isLetter(s[i]) && isLetter(s[i+1]) && isLetter(s[i+2]) && isLetter(s[i+3]) {
			c += 1 << 20
		}
		if width == 4 {
			if r, ok := commonGramRank(gramOf(s[i:], 4)); ok {
				c += (commonGramCount - r) << 32
			}
		}
		if c < bestCost {
			best, bestCost = i, c
		}
	}
	return best
}

func isLetter(c byte) bool { c |= 0x20; return c >= 'a' && c <= 'z' }

// commonGramsData holds the commonGramCount most frequent runs of four
// bytes (each ORed with 0x20, as the prefilter folds them) of the lines of
// real failed CI logs, cleaned as Analyze cleans them: four bytes each,
// the most frequent first. It was counted over the 201 logs of the
// LogChunks data set (Brandt et al., CC BY 4.0), 31.7 million grams, and
// is rebuilt with
//
//	JOBLOG_LOGCHUNKS_DIR=<dir of the logs> go test ./internal/joblog -run TestCommonGrams -update-grams
//
// A keyword anchored on a common gram such as "uld " (could, should,
// build) or "n th" wakes the prefilter's verification all the time for
// nothing.
//
//go:embed common_grams.bin
var commonGramsData string

// commonGramCount is how many grams commonGramsData holds.
const commonGramCount = 16384

// commonGramRank returns the rank of the gram g in commonGramsData, 0 for
// the most frequent, and whether it is there.
func commonGramRank(g uint32) (int, bool) {
	t := commonGramTable()
	for j := gramHash(g) & (commonGramSlots - 1); ; j = (j + 1) & (commonGramSlots - 1) {
		switch t.grams[j] {
		case g:
			return int(t.ranks[j]), true
		case 0: // no gram is zero: each byte of one is ORed with 0x20
			return 0, false
		}
	}
}

// commonGramSlots is the size of commonGramTable, a power of two with
// room to spare.
const commonGramSlots = 2 * commonGramCount

// gramRanks holds grams and their ranks, open-addressed by gramHash.
type gramRanks struct {
	grams [commonGramSlots]uint32
	ranks [commonGramSlots]uint16
}

// commonGramTable holds the grams of commonGramsData and their ranks. It
// is built when the knowledge base is, in a small fraction of the time a
// map takes: every run builds it.
var commonGramTable = sync.OnceValue(func() *gramRanks {
	t := new(gramRanks)
	for i := 0; i+4 <= len(commonGramsData); i += 4 {
		g := gramOf(commonGramsData[i:], 4) // the data is folded already
		j := gramHash(g) & (commonGramSlots - 1)
		for t.grams[j] != 0 && t.grams[j] != g {
			j = (j + 1) & (commonGramSlots - 1)
		}
		if t.grams[j] == 0 { // the first, most frequent, of a repeated gram
			t.grams[j], t.ranks[j] = g, uint16(i/4)
		}
	}
	return t
})

// tripleRank is how common a folded triple is: 0 when it is not in
// commonTriples, larger for more frequent ones.
var tripleRank = func() map[[3]byte]int {
	m := make(map[[3]byte]int, len(commonTriples)/3)
	n := len(commonTriples) / 3
	for i := 0; i < n; i++ {
		t := [3]byte{commonTriples[3*i], commonTriples[3*i+1], commonTriples[3*i+2]}
		if _, ok := m[t]; !ok {
			m[t] = n - i
		}
	}
	return m
}()

// gramBits is the size of the hash of the anchors' exact table (slots).
const gramBits = 15

// gramMul is the multiplier of the grams' hash.
const gramMul = 0x9E3779B1

// gramHash maps a gram (its bytes ORed with 0x20) to a slot.
func gramHash(g uint32) uint32 { return g * gramMul >> (32 - gramBits) }

// pairBits is the size of the prefilter's table: 1<<pairBits entries of
// 32 bits.
const pairBits = 13

// pairHash maps a key (its bytes ORed with 0x20) to an entry of the
// prefilter's table.
func pairHash(key uint32) uint32 { return key * gramMul >> (32 - pairBits) }

// The prefilter's table is looked up by a key: a gram's last width-1
// bytes, which are also the first width-1 bytes of the gram one byte
// further. An entry serves both: the gram that starts one byte before the
// key has its bit in the entry's lower half, chosen by the low nibble of
// that byte; the gram that starts with the key, in the upper half, by the
// low nibble of the byte after it. So one load of an entry (one lane of a
// gather in pairMasks) tests the grams at offsets 2k and 2k+1, which share
// the key at 2k+1; an anchor sets its bit in both entries it belongs to,
// and a gram found in one is tested in the other as well. A gram that only
// shares an anchor's key passes when the nibble matches too.

// pairLow returns 1 when the gram g (folded, its width bytes only) may be
// an anchor, tested in the entry of the key that ends it, else 0.
func (km *keywordMatcher) pairLow(g uint32) uint {
	return uint(km.pairs[pairHash(g>>8&km.keyMask)]>>(g&15)) & 1
}

// pairHigh is pairLow, tested in the entry of the key that starts the gram.
func (km *keywordMatcher) pairHigh(g uint32) uint {
	return uint(km.pairs[pairHash(g&km.keyMask)]>>(16+g>>km.highShift&15)) & 1
}

// fold8 ORs every byte with 0x20, which maps upper-case ASCII letters to
// lower case (and confuses a few punctuation bytes, which only costs a
// verification).
const fold8 = 0x2020202020202020

// keywordMatcher finds, in one pass over a line, which rules have one of
// their keywords in it.
//
// Each keyword is represented by its rarest gram: a run of width bytes (4,
// or 3 for a matcher of 3-byte keywords), ORed with 0x20 to fold ASCII
// case. A table hashed from grams says where an anchor may be (one entry
// tells two adjacent offsets: pairLow); the pass tests
// the gram at every offset of the line, 32 at a time with AVX2, else five
// or six per 8-byte load, with no dependency from one offset to the
// next. Only where the table says
// so is the gram looked up in a small exact table, and only where the gram is
// an anchor are its keywords compared. Keywords bound to the start of the
// line are looked up once per line, by the byte that starts it.
type keywordMatcher struct {
	width   int                   // bytes in a gram: 4 or 3
	keep    uint32                // the bytes of a 4-byte load that make a gram
	pairs   [1 << pairBits]uint32 // pairHash of a key -> the anchors' bits (pairLow, pairHigh)
	keyMask uint32                // the bytes of a key: the last width-1 of a gram
	// highShift is the shift that brings the last byte of a gram to the
	// low byte.
	highShift uint32
	slots     []anchorSlot     // open addressing by gramHash, gram 0 when free
	cands     []candidate      // the keywords of each anchor
	lineKws   [256][]candidate // the line-start keywords, by their first byte (folded)
	kws       []keyword
}

// anchorSlot holds an anchor gram and its keywords, cands[first:first+n].
type anchorSlot struct {
	gram     uint32
	first, n uint16
}

// candidate says that keyword kw has its anchor at offset off. head holds
// the keyword's first bytes (up to 8) where headMask is set: a line whose
// bytes differ there is rejected without reading the keyword.
type candidate struct {
	head, headMask uint64
	kw, off, rule  uint16
	whole          bool // head holds the whole keyword
	// free is set when the keyword asks for no boundary and no place in
	// the line: found whole, it is found.
	free bool
}

// newKeywordMatcher builds the matcher of keywords parsed with minLen 4 or
// 3: the grams are minLen bytes long.
func newKeywordMatcher(kws []keyword, minLen int) *keywordMatcher {
	km := &keywordMatcher{kws: kws, width: minLen}
	mask := uint32(1)<<(8*minLen) - 1
	if minLen >= 4 {
		km.width, mask = 4, ^uint32(0)
	}
	km.keep = mask
	km.keyMask, km.highShift = mask>>8, uint32(8*(km.width-1))
	byGram := map[uint32][]candidate{}
	var order []uint32
	for i, k := range kws {
		if k.lineStart {
			b := k.text[0] | 0x20
			km.lineKws[b] = append(km.lineKws[b], candidate{head: k.head, headMask: k.headMask, kw: uint16(i), rule: uint16(k.rule), whole: len(k.text) <= 8})
			continue
		}
		g := gramOf(k.text[k.anchor:], km.width) & mask
		if _, ok := byGram[g]; !ok {
			order = append(order, g)
		}
		c := candidate{head: k.head, headMask: k.headMask, kw: uint16(i), off: uint16(k.anchor), rule: uint16(k.rule), whole: len(k.text) <= 8,
			free: !k.wordStart && !k.wordEnd && !k.notAfterHyphen && !k.notBeforeExt}
		byGram[g] = append(byGram[g], c)
	}
	size := 16
	for size < 4*len(order) {
		size *= 2
	}
	km.slots = make([]anchorSlot, size)
	for _, g := range order {
		h := gramHash(g)
		km.pairs[pairHash(g>>8&km.keyMask)] |= 1 << (g & 15)
		km.pairs[pairHash(g&km.keyMask)] |= 1 << (16 + g>>km.highShift&15)
		j := int(h) & (size - 1)
		for km.slots[j].gram != 0 {
			j = (j + 1) & (size - 1)
		}
		km.slots[j] = anchorSlot{gram: g, first: uint16(len(km.cands)), n: uint16(len(byGram[g]))}
		km.cands = append(km.cands, byGram[g]...)
	}
	return km
}

// gramOf returns the first width bytes of s (width <= len(s)), little
// endian and ORed with 0x20.
func gramOf(s string, width int) uint32 {
	var g uint32
	for i := width - 1; i >= 0; i-- {
		g = g<<8 | uint32(s[i])
	}
	return g | 0x20202020
}

// scan returns the rules that have a keyword in line.
func (km *keywordMatcher) scan(line []byte) ruleMask {
	var m ruleMask
	km.scanLineStart(line, &m)
	if km.width == 4 {
		km.scan4(line, &m)
	} else {
		km.scan3(line, &m)
	}
	return m
}

// scanLineStart looks for the keywords bound to the start of the line:
// each keyword's first 8 bytes are compared with the line's, folded, in
// one word (the candidates of lineKws hold them, so that the keywords
// themselves are read only for a line that starts as one does).
func (km *keywordMatcher) scanLineStart(line []byte, m *ruleMask) {
	n := len(line)
	s := 0
	for s < n && (line[s] == ' ' || line[s] == '\t') {
		s++
	}
	if s == n || len(km.lineKws[line[s]|0x20]) == 0 {
		return
	}
	var x uint64
	if n-s >= 8 {
		x = binary.LittleEndian.Uint64(line[s:])
	} else {
		var pad [8]byte
		copy(pad[:], line[s:])
		x = binary.LittleEndian.Uint64(pad[:])
	}
	x = lower8(x)
	cs := km.lineKws[line[s]|0x20]
	for i := range cs {
		// Past the line, x holds zeros, which no keyword does.
		if c := &cs[i]; x&c.headMask == c.head {
			if c.whole {
				km.checkBounds(line, s, &km.kws[c.kw], m)
			} else {
				km.check(line, s, &km.kws[c.kw], m)
			}
		}
	}
}

// textBlockMasks finds, for each whole 32-byte block of chunk, its bytes
// that are not plain text and its newlines, reusing masks, and counts the
// blocks that hold a byte that is not plain text. The bytes past the last
// whole block are left untested: chunkCovers tells which lines the masks
// cover. Only where haveGramMasks.
func textBlockMasks(chunk []byte, masks []blockMask) ([]blockMask, int) {
	if masks = wholeBlocks(chunk, masks); len(masks) == 0 {
		return masks, 0
	}
	return masks, textMasks(&chunk[0], len(masks), &masks[0])
}

// lineBlockMasks is textBlockMasks for the cleaned buffer of a chunk,
// whose special bytes markRawLines sets: it finds the newlines, and clears
// the special bytes.
func lineBlockMasks(chunk []byte, masks []blockMask) []blockMask {
	if masks = wholeBlocks(chunk, masks); len(masks) > 0 {
		newlineMasks(&chunk[0], len(masks), &masks[0])
	}
	return masks
}

// wholeBlocks returns masks, reused, with room for the whole 32-byte
// blocks of chunk that the kernels test (whose grams' last bytes chunk
// holds): none under 35 bytes.
func wholeBlocks(chunk []byte, masks []blockMask) []blockMask {
	if len(chunk) < 35 {
		return masks[:0]
	}
	blocks := (len(chunk) - 3) / 32
	return slices.Grow(masks[:0], blocks)[:blocks]
}

// gramsOf tests, for a matcher of 4-byte grams, the grams at every offset
// of the blocks textBlockMasks found in chunk, as a line's scan would, and
// reports whether there were blocks: the lines that cleaning leaves as they
// are then need no scan of their own. (A chunk mostly not plain text is
// cleaned first, and its text tested: prepare.)
func (km *keywordMatcher) gramsOf(chunk []byte, masks []blockMask) bool {
	if len(masks) == 0 {
		return false
	}
	km.blockMasks(chunk, len(masks), masks)
	return true
}

// blockMasks sets the grams of the masks of the first blocks of p with
// pairMasks. It reads p[:32*blocks+3].
func (km *keywordMatcher) blockMasks(p []byte, blocks int, masks []blockMask) {
	pairMasks(&p[0], blocks, &km.pairs[0], &masks[0], km.keyMask, km.highShift)
}

// blockMask is what textMasks and blockMasks find in a block of 32 bytes.
type blockMask struct {
	grams    uint32 // offsets whose gram may be a keyword's anchor: bit i for offset i
	special  uint32 // bytes that are not plain text: bit i for byte i
	newlines uint32 // '\n' bytes: bit i for byte i
}

// scanChunk is scan for a line that is chunk[off:off+len(line)], the
// grams of its offsets tested already by gramsOf (chunkCovers checks
// that they were). The grams at chunk offsets before from are known to be
// no keyword's: they are not verified again.
func (km *keywordMatcher) scanChunk(line []byte, masks []blockMask, off, from int) ruleMask {
	var m ruleMask
	km.scanLineStart(line, &m)
	// The line's grams are at chunk offsets off..last.
	last := off + len(line) - 4
	first := max(off, from)
	for b := first >> 5; b <= last>>5 && last >= first; b++ {
		if v := inRange(masks[b].grams, b<<5, first, last); v != 0 {
			km.wakeBlock(line, b<<5-off, v, &m)
		}
	}
	return m
}

// inRange keeps the bits of v, a mask of the block of 32 bytes at start,
// whose offsets are in lo..hi.
func inRange(v uint32, start, lo, hi int) uint32 {
	if hi < start || lo > start+31 {
		return 0
	}
	if start < lo {
		v &= ^uint32(0) << (lo - start)
	}
	if hi-start < 31 {
		v &= ^uint32(0) >> (31 - (hi - start))
	}
	return v
}

// chunkCovers reports whether textBlockMasks (and gramsOf) tested every
// byte and gram of a line that is chunk[off:off+n].
func chunkCovers(masks []blockMask, off, n int) bool {
	return off+n <= 32*len(masks)
}

// specialFrom returns the index in the line chunk[off:off+n], which the
// chunk's masks cover, of its first byte from i that is not plain text (a
// tab is), or n: the end of the run of plain text from i.
func specialFrom(masks []blockMask, off, i, n int) int {
	p, end := off+i, off+n
	b := p >> 5
	v := masks[b].special &^ (1<<(p&31) - 1)
	for v == 0 {
		b++
		if b<<5 >= end {
			return n
		}
		v = masks[b].special
	}
	if q := b<<5 + bits.TrailingZeros32(v); q < end {
		return q - off
	}
	return n
}

// chunkPlain reports whether the line chunk[off:off+n], which textBlockMasks
// covered, holds only printable ASCII and tabs, as isPlain would, but for a
// '\r' right before a '\n', which it lets pass (line drops it).
func chunkPlain(masks []blockMask, off, n int) bool {
	return n == 0 || specialFrom(masks, off, 0, n) == n
}

// load8 returns the 8 bytes of line at i, padded with spaces past its end,
// ORed with 0x20.
func load8(line []byte, i int) uint64 {
	var x uint64
	if i+8 <= len(line) {
		x = binary.LittleEndian.Uint64(line[i:])
	} else {
		var pad [8]byte
		copy(pad[:], line[i:])
		x = binary.LittleEndian.Uint64(pad[:])
	}
	return x | fold8
}

// scan4 tests the 4-byte grams at every offset: 32 at a time with
// pairMasks where it runs, else five per 8-byte load.
func (km *keywordMatcher) scan4(line []byte, m *ruleMask) {
	n := len(line)
	if haveGramMasks && n >= 35 {
		km.scanBlocks(line, m)
		return
	}
	km.scan4Scalar(line, m)
}

// scan4Scalar is scan4 in Go: five grams per 8-byte load.
func (km *keywordMatcher) scan4Scalar(line []byte, m *ruleMask) {
	n := len(line)
	if n < 8 {
		if n >= 4 {
			km.test4(line, 0, load8(line, 0), n-4, m)
		}
		return
	}
	for i := 0; i <= n-4; i += 5 {
		if i > n-8 {
			// The last offsets, from a load that overlaps the previous
			// one; an offset tested twice only repeats a verification.
			i = n - 8
		}
		x := binary.LittleEndian.Uint64(line[i:]) | fold8
		if v := km.pairLow(uint32(x)) | km.pairLow(uint32(x>>8))<<1 | km.pairLow(uint32(x>>16))<<2 |
			km.pairLow(uint32(x>>24))<<3 | km.pairLow(uint32(x>>32))<<4; v != 0 {
			km.wake4(line, i, x, v, m)
		}
	}
}

// blockBatch is how many 32-byte blocks a call of blockMasks handles.
const blockBatch = 8

// scanBlocks tests the grams at every offset of a line of at least 35
// bytes with blockMasks: whole blocks of 32 offsets, then one block that
// ends at the last offset a 4-byte load can read, its offsets already
// tested masked out, then (for 3-byte grams) the last offset alone. When
// the line's capacity holds the bytes that whole blocks up to that last
// offset read, they are read instead of the last block: a block's bit for
// an offset depends only on the gram there, so the bits past the last
// offset are dropped, and one call of the kernel does.
func (km *keywordMatcher) scanBlocks(line []byte, m *ruleMask) {
	var out [blockBatch]blockMask
	n := len(line)
	last := uint(n - 4) // the last offset whose 4 bytes are the line's
	if end := last&^31 + 35; last < 32*blockBatch && end <= uint(cap(line)) {
		// Most lines: one call for all their blocks.
		nb := last/32 + 1
		km.blockMasks(line[:end], int(nb), out[:])
		out[nb-1].grams &= ^uint32(0) >> (31 - last%32)
		for b := range nb {
			if v := out[b].grams; v != 0 {
				km.wakeBlock(line, int(32*b), v, m)
			}
		}
	} else {
		km.scanLongBlocks(line, &out, m)
	}
	if km.width == 3 {
		g := (uint32(line[n-3]) | uint32(line[n-2])<<8 | uint32(line[n-1])<<16) | 0x202020
		if km.pairLow(g) != 0 {
			km.verify(line, n-3, g, gramHash(g), m)
		}
	}
}

// scanLongBlocks is scanBlocks for a line of more blocks than a batch, or
// whose capacity ends before its last block does.
func (km *keywordMatcher) scanLongBlocks(line []byte, out *[blockBatch]blockMask, m *ruleMask) {
	n := len(line)
	last := n - 4
	blocks, src, keep := (n-3)/32, line, ^uint32(0)
	if 32*(last/32)+35 <= cap(line) {
		blocks, src, keep = last/32+1, line[:32*(last/32)+35], keep>>(31-last%32)
	}
	for b0 := 0; b0 < blocks; b0 += blockBatch {
		nb := min(blockBatch, blocks-b0)
		km.blockMasks(src[32*b0:], nb, out[:])
		for b := range nb {
			v := out[b].grams
			if b0+b == blocks-1 {
				v &= keep
			}
			if v != 0 {
				km.wakeBlock(line, 32*(b0+b), v, m)
			}
		}
	}
	if done := 32 * blocks; done <= last {
		w := n - 35
		km.blockMasks(line[w:], 1, out[:])
		if v := out[0].grams &^ (1<<(done-w) - 1); v != 0 {
			km.wakeBlock(line, w, v, m)
		}
	}
}

// wakeBlock verifies the grams of the block at line[i:] whose bits are set
// in v.
func (km *keywordMatcher) wakeBlock(line []byte, i int, v uint32, m *ruleMask) {
	for ; v != 0; v &= v - 1 {
		o := i + bits.TrailingZeros32(v)
		g := (binary.LittleEndian.Uint32(line[o:]) | 0x20202020) & km.keep
		// Most grams the prefilter lets through are no anchor: anchor,
		// inlined, turns them away without a call.
		if sl := km.anchor(g, gramHash(g)); sl != nil {
			km.compare(line, o, sl, m)
		}
	}
}

// test4 verifies the grams of x (the folded bytes at line[i:]) at offsets
// i..i+last whose entry is set.
func (km *keywordMatcher) test4(line []byte, i int, x uint64, last int, m *ruleMask) {
	var v uint
	for j := 0; j <= last; j++ {
		v |= km.pairLow(uint32(x>>(8*j))) << j
	}
	km.wake4(line, i, x, v, m)
}

// wake4 verifies the grams of x (the folded bytes at line[i:]) at the
// offsets i+j for the bits j set in v.
func (km *keywordMatcher) wake4(line []byte, i int, x uint64, v uint, m *ruleMask) {
	for ; v != 0; v &= v - 1 {
		j := bits.TrailingZeros(v)
		g := uint32(x >> (8 * j))
		km.verify(line, i+j, g, gramHash(g), m)
	}
}

// scan3 tests the 3-byte grams at every offset: 32 at a time with
// pairMasks where it runs, else six per 8-byte load.
func (km *keywordMatcher) scan3(line []byte, m *ruleMask) {
	n := len(line)
	if haveGramMasks && n >= 35 {
		km.scanBlocks(line, m)
		return
	}
	if n < 8 {
		x := load8(line, 0)
		var v uint
		for j := 0; j <= n-3; j++ {
			v |= km.pairLow(uint32(x>>(8*j))&0xffffff) << j
		}
		km.wake3(line, 0, x, v, m)
		return
	}
	for i := 0; i <= n-3; i += 6 {
		if i > n-8 {
			i = n - 8 // as in scan4
		}
		x := binary.LittleEndian.Uint64(line[i:]) | fold8
		const m3 = 0xffffff
		if v := km.pairLow(uint32(x)&m3) | km.pairLow(uint32(x>>8)&m3)<<1 | km.pairLow(uint32(x>>16)&m3)<<2 |
			km.pairLow(uint32(x>>24)&m3)<<3 | km.pairLow(uint32(x>>32)&m3)<<4 | km.pairLow(uint32(x>>40)&m3)<<5; v != 0 {
			km.wake3(line, i, x, v, m)
		}
	}
}

// wake3 is wake4 for 3-byte grams.
func (km *keywordMatcher) wake3(line []byte, i int, x uint64, v uint, m *ruleMask) {
	for ; v != 0; v &= v - 1 {
		j := bits.TrailingZeros(v)
		g := uint32(x>>(8*j)) & 0xffffff
		km.verify(line, i+j, g, gramHash(g), m)
	}
}

// verify looks the gram g (hashing to h) at line[i:] up among the anchors
// and compares the anchor's keywords with the line.
func (km *keywordMatcher) verify(line []byte, i int, g, h uint32, m *ruleMask) {
	if sl := km.anchor(g, h); sl != nil {
		km.compare(line, i, sl, m)
	}
}

// anchor returns the slot of the anchor g (hashing to h), or nil when g is
// none.
func (km *keywordMatcher) anchor(g, h uint32) *anchorSlot {
	mask := len(km.slots) - 1
	for j := int(h) & mask; ; j = (j + 1) & mask {
		switch km.slots[j].gram {
		case g:
			return &km.slots[j]
		case 0:
			return nil
		}
	}
}

// compare compares the keywords of the anchor sl, found at line[i:], with
// the line.
func (km *keywordMatcher) compare(line []byte, i int, sl *anchorSlot, m *ruleMask) {
	for k, end := int(sl.first), int(sl.first)+int(sl.n); k < end; k++ {
		c := &km.cands[k]
		s := i - int(c.off)
		if s >= 0 && s+8 <= len(line) {
			if lower8(binary.LittleEndian.Uint64(line[s:]))&c.headMask != c.head {
				continue
			}
			if c.whole {
				if c.free {
					m.set(int(c.rule))
				} else {
					km.checkBounds(line, s, &km.kws[c.kw], m)
				}
				continue
			}
		}
		km.check(line, s, &km.kws[c.kw], m)
	}
}

// check records k's rule when k's text is at line[s:] with its boundaries.
func (km *keywordMatcher) check(line []byte, s int, k *keyword, m *ruleMask) {
	e := s + len(k.text)
	if s < 0 || e > len(line) || m.has(k.rule) || !equalFold(line[s:e], k.text) {
		return
	}
	km.checkBounds(line, s, k, m)
}

// checkBounds records k's rule when k's text, known to be at line[s:], has
// its boundaries there.
func (km *keywordMatcher) checkBounds(line []byte, s int, k *keyword, m *ruleMask) {
	e := s + len(k.text)
	if k.wordStart && s > 0 && isWordByte(line[s-1]) || k.wordEnd && e < len(line) && isWordByte(line[e]) ||
		k.notAfterHyphen && s > 0 && line[s-1] == '-' || k.notBeforeExt && e+1 < len(line) && line[e] == '.' && isLetter(line[e+1]) {
		return
	}
	if k.lineStart && !isIndent(line[:s]) {
		return
	}
	m.set(k.rule)
}

// equalFold reports whether b equals the lower-case s with ASCII case
// ignored. b is as long as s.
func equalFold(b []byte, s string) bool {
	if len(s) >= 8 {
		// 8 bytes at a time, the last word overlapping the one before.
		for i := 0; ; i += 8 {
			if i > len(s)-8 {
				i = len(s) - 8
			}
			if lower8(binary.LittleEndian.Uint64(b[i:])) != stringWord(s[i:]) {
				return false
			}
			if i == len(s)-8 {
				return true
			}
		}
	}
	for i := 0; i < len(s); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// lower8 maps the upper-case ASCII letters among the 8 bytes of x to lower
// case and leaves the other bytes alone.
func lower8(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	low7 := x &^ highs
	geA := low7 + (0x80-'A')*ones   // high bit set where the byte's low 7 bits are >= 'A'
	gtZ := low7 + (0x80-'Z'-1)*ones // ... and where they are > 'Z'
	upper := geA &^ gtZ &^ x & highs
	return x | upper>>2
}

// stringWord returns the first 8 bytes of s, little endian.
func stringWord(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isIndent reports whether b holds only spaces and tabs.
func isIndent(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
