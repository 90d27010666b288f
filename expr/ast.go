package expr

// The syntax tree. Conditions are condNodes; the values inside them, the
// arguments of system functions and whole expressions are operands. Every
// node keeps the byte offset of its source, for errors and notes.

type condNode interface{ condPos() int }

type orNode struct {
	l, r condNode
	pos  int
}

type andNode struct {
	l, r condNode
	pos  int
}

type notNode struct {
	x   condNode
	pos int
}

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEq  cmpOp = iota + 1 // =
	opNe                   // !=
	opLt                   // <
	opLe                   // <=
	opGt                   // >
	opGe                   // >=
	opHas                  // :
)

var cmpNames = [...]string{"", "=", "!=", "<", "<=", ">", ">=", ":"}

func (o cmpOp) String() string { return cmpNames[o] }

type cmpNode struct {
	op   cmpOp
	l, r operand
	pos  int // the operator's offset
}

// truthNode is an operand standing alone as a condition: true, a bool
// parameter, a system function such as CONTAIN.
type truthNode struct {
	x   operand
	pos int
}

func (n *orNode) condPos() int    { return n.pos }
func (n *andNode) condPos() int   { return n.pos }
func (n *notNode) condPos() int   { return n.pos }
func (n *cmpNode) condPos() int   { return n.pos }
func (n *truthNode) condPos() int { return n.pos }

type operand interface{ opPos() int }

// litNode is a literal: null, true, false, a number, a string without
// references, or an unquoted word (word set), which is a string.
type litNode struct {
	v    Value
	pos  int
	word bool
}

type refNode struct {
	ref *Ref
	pos int
}

// strNode is a quoted string with references or inline functions in it:
// a template evaluated when the string is.
type strNode struct {
	tmpl *Template
	pos  int
}

type listNode struct {
	elems []operand
	pos   int
}

type callNode struct {
	fn   *funcDef
	name string // as written (RAND or rand)
	args []operand
	// cond is IF's first argument when it is a string literal: parsed
	// once, as a condition.
	cond *Cond
	// path is FILTER's JsonPath when it is a literal string: parsed once.
	path *JSONPath
	pos  int // the offset of "$sys.func."
	end  int // the offset after ")"
}

func (n *litNode) opPos() int  { return n.pos }
func (n *refNode) opPos() int  { return n.pos }
func (n *strNode) opPos() int  { return n.pos }
func (n *listNode) opPos() int { return n.pos }
func (n *callNode) opPos() int { return n.pos }
