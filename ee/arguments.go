package ee

// ParseArguments reads one event's arguments from a model's reply — a JSON list of {"role",
// "text"} (or {"arguments": [...]}), spans as in ParseReply — and locates every span in text.
// Roles outside typ's schema and spans that cannot be located are dropped and counted, never
// guessed. The error is non-nil only when the reply holds no parsable JSON.
func ParseArguments(reply, text string, typ *Type) ([]Argument, Drops, error) {
	args, err := decodeList[replyArgu](reply, "arguments")
	if err != nil {
		return nil, Drops{}, err
	}
	runes := []rune(text)
	var d Drops
	out := []Argument{}
	seen := map[Argument]bool{}
	for _, ra := range args {
		if typ != nil && !typ.HasRole(ra.Role) {
			d.UnknownRole++
			continue
		}
		sp, ok := locate(runes, ra.replySpan, &d)
		if !ok {
			continue
		}
		a := Argument{Role: ra.Role, Text: sp.Text, Start: sp.Start, End: sp.End}
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out, d, nil
}

// Add sums two drop counts.
func (d Drops) Add(o Drops) Drops {
	return Drops{SpanNotFound: d.SpanNotFound + o.SpanNotFound, Ambiguous: d.Ambiguous + o.Ambiguous,
		BadOffset: d.BadOffset + o.BadOffset, UnknownType: d.UnknownType + o.UnknownType, UnknownRole: d.UnknownRole + o.UnknownRole}
}
