using System.Globalization;
using System.Text;

namespace StretchBot.Templating.Expressions;

/// <summary>
/// Parses adaptive-expressions text (the ANTLR grammar of adaptive-expressions 4.23, ported by hand):
/// precedence from tightest to loosest is unary (! - +), ^ (right-associative), * / %, + -, == !=, &amp;,
/// &lt; &lt;= &gt; &gt;=, &amp;&amp;, ||, ??, and the ternary ?: .
/// </summary>
internal sealed class Parser
{
    private readonly string text;
    private readonly List<Token> tokens;
    private int pos;

    private Parser(string text)
    {
        this.text = text;
        tokens = Lexer.Tokenize(text);
    }

    /// <summary>Expression.parse: a leading '=' is dropped and empty text is the empty string.</summary>
    public static Expr Parse(string expression)
    {
        if (expression.StartsWith('='))
        {
            expression = expression[1..];
        }

        if (expression.Length == 0)
        {
            return new ConstantExpr(string.Empty);
        }

        var parser = new Parser(expression);
        var result = parser.ParseExpression(0);
        if (parser.Peek.Kind != TokenKind.Eof)
        {
            throw parser.Error($"unexpected '{parser.Peek.Text}'");
        }

        return result;
    }

    private Token Peek => tokens[pos];

    private Token PeekAt(int offset) => tokens[Math.Min(pos + offset, tokens.Count - 1)];

    private Token Next() => tokens[pos++];

    private ExpressionParseException Error(string message) =>
        new($"syntax error at column {Peek.Start + 1} in '{text}': {message}");

    private Token Expect(TokenKind kind, string what)
    {
        if (Peek.Kind != kind)
        {
            throw Error(Peek.Kind == TokenKind.Eof ? $"expected {what} but the expression ended" : $"expected {what} but found '{Peek.Text}'");
        }

        return Next();
    }

    private static (int Precedence, int RightPrecedence) BinaryPrecedence(TokenKind kind) => kind switch
    {
        TokenKind.Xor => (11, 11),
        TokenKind.Star or TokenKind.Slash or TokenKind.Percent => (10, 11),
        TokenKind.Plus or TokenKind.Minus => (9, 10),
        TokenKind.EqEq or TokenKind.NotEq => (8, 9),
        TokenKind.Amp => (7, 8),
        TokenKind.Lt or TokenKind.Le or TokenKind.Gt or TokenKind.Ge => (6, 7),
        TokenKind.AndAnd => (5, 6),
        TokenKind.OrOr => (4, 5),
        TokenKind.QuestionQuestion => (3, 4),
        TokenKind.Question => (2, 3),
        _ => (-1, -1),
    };

    private Expr ParseExpression(int minPrecedence)
    {
        Expr left;
        if (Peek.Kind is TokenKind.Not or TokenKind.Minus or TokenKind.Plus)
        {
            var op = Next();
            var operand = ParseExpression(12);
            left = op.Kind == TokenKind.Not
                ? Call("!", operand)
                : Call(op.Text, new ConstantExpr(0d), operand);
        }
        else
        {
            left = ParsePrimary();
        }

        while (true)
        {
            var op = Peek;
            var (precedence, rightPrecedence) = BinaryPrecedence(op.Kind);
            if (precedence < 0 || precedence < minPrecedence)
            {
                return left;
            }

            Next();
            if (op.Kind == TokenKind.Question)
            {
                var whenTrue = ParseExpression(0);
                Expect(TokenKind.Colon, "':' of the conditional operator");
                var whenFalse = ParseExpression(rightPrecedence);
                left = Call("if", left, whenTrue, whenFalse);
            }
            else
            {
                left = Call(op.Text, left, ParseExpression(rightPrecedence));
            }
        }
    }

    private Expr ParsePrimary()
    {
        var start = Peek;
        Expr result;
        string? functionName = null;
        switch (start.Kind)
        {
            case TokenKind.LParen:
                Next();
                result = ParseExpression(0);
                Expect(TokenKind.RParen, "')'");
                break;
            case TokenKind.LBracket:
                Next();
                var items = Peek.Kind == TokenKind.RBracket ? [] : ParseArgs();
                Expect(TokenKind.RBracket, "']'");
                result = Call("createArray", [.. items]);
                break;
            case TokenKind.LBrace:
                throw new UnsupportedFeatureException($"object literals ({{...}}) in expressions are not supported: '{text}'");
            case TokenKind.Number:
                Next();
                result = new ConstantExpr(double.Parse(start.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
                break;
            case TokenKind.String:
                Next();
                result = new ConstantExpr(StringLiteralValue(start.Text));
                break;
            case TokenKind.Identifier:
                Next();
                functionName = start.Text;
                result = start.Text switch
                {
                    "true" => new ConstantExpr(true),
                    "false" => new ConstantExpr(false),
                    "null" => new ConstantExpr(null),
                    "undefined" => new ConstantExpr(Undefined.Value),
                    _ => new AccessorExpr(start.Text, null),
                };
                break;
            case TokenKind.Backtick:
                throw new UnsupportedFeatureException($"nested string interpolation (`...`) in expressions is not supported: '{text}'");
            case TokenKind.Eof:
                throw Error("expected a value but the expression ended");
            default:
                throw Error($"unexpected '{start.Text}'");
        }

        while (true)
        {
            switch (Peek.Kind)
            {
                case TokenKind.Dot:
                    Next();
                    var member = Expect(TokenKind.Identifier, "a property name after '.'");
                    result = new AccessorExpr(member.Text, result);
                    functionName = null;
                    break;
                case TokenKind.LBracket:
                    Next();
                    var index = ParseExpression(0);
                    Expect(TokenKind.RBracket, "']'");
                    result = new ElementExpr(result, index);
                    functionName = null;
                    break;
                case TokenKind.LParen:
                case TokenKind.Not when PeekAt(1).Kind == TokenKind.LParen:
                    var bang = Peek.Kind == TokenKind.Not;
                    if (bang)
                    {
                        Next();
                    }

                    var callee = text[start.Start..Peek.Start].Trim();
                    Next();
                    var args = Peek.Kind == TokenKind.RParen ? [] : ParseArgs();
                    Expect(TokenKind.RParen, "')' closing the argument list");
                    if (functionName is null || bang)
                    {
                        throw new ExpressionParseException($"'{callee}' is not a function this engine supports (in '{text}').");
                    }

                    result = Call(functionName, [.. args]);
                    functionName = null;
                    break;
                default:
                    return result;
            }
        }
    }

    private List<Expr> ParseArgs()
    {
        var args = new List<Expr>();
        while (true)
        {
            if (Peek.Kind == TokenKind.Identifier && PeekAt(1).Kind == TokenKind.Arrow)
            {
                var name = Next();
                Next();
                args.Add(new AccessorExpr(name.Text, null));
                args.Add(ParseExpression(0));
            }
            else
            {
                args.Add(ParseExpression(0));
            }

            if (Peek.Kind != TokenKind.Comma)
            {
                return args;
            }

            Next();
        }
    }

    private static Expr Call(string name, params Expr[] args)
    {
        var function = Functions.Lookup(name)
            ?? throw new ExpressionParseException(
                $"Unknown function '{name}'. Supported: {string.Join(", ", Functions.Names.Where(n => char.IsAsciiLetter(n[0])).Order(StringComparer.Ordinal))}.");
        return new CallExpr(function, args);
    }

    /// <summary>visitStringAtom: strip the quotes, unescape the quote, then \r \n \t and \\ (other escapes stay as written).</summary>
    private static string StringLiteralValue(string token)
    {
        var quote = token[0];
        var body = token[1..^1].Replace("\\" + quote, quote.ToString(), StringComparison.Ordinal);
        var sb = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\' && i + 1 < body.Length && body[i + 1] is not ('\r' or '\n'))
            {
                var next = body[i + 1];
                var mapped = next switch
                {
                    'r' => "\r",
                    'n' => "\n",
                    't' => "\t",
                    '\\' => "\\",
                    _ => null,
                };
                sb.Append(mapped ?? "\\" + next);
                i++;
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}

internal enum TokenKind
{
    Plus,
    Minus,
    Not,
    Xor,
    Star,
    Slash,
    Percent,
    EqEq,
    NotEq,
    Amp,
    AndAnd,
    OrOr,
    Lt,
    Gt,
    Le,
    Ge,
    LParen,
    RParen,
    Dot,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Colon,
    Arrow,
    QuestionQuestion,
    Question,
    Number,
    Identifier,
    String,
    Backtick,
    Eof,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Start);

internal static class Lexer
{
    public static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is ' ' or '\t' or '\uFEFF' or '\u00A0' or '\n' || (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n'))
            {
                i++;
                continue;
            }

            var start = i;
            TokenKind kind;
            var two = i + 1 < s.Length ? s.Substring(i, 2) : string.Empty;
            switch (two)
            {
                case "==":
                    kind = TokenKind.EqEq;
                    break;
                case "!=" or "<>":
                    kind = TokenKind.NotEq;
                    break;
                case "&&":
                    kind = TokenKind.AndAnd;
                    break;
                case "||":
                    kind = TokenKind.OrOr;
                    break;
                case "<=":
                    kind = TokenKind.Le;
                    break;
                case ">=":
                    kind = TokenKind.Ge;
                    break;
                case "=>":
                    kind = TokenKind.Arrow;
                    break;
                case "??":
                    kind = TokenKind.QuestionQuestion;
                    break;
                default:
                    kind = TokenKind.Eof;
                    break;
            }

            if (kind != TokenKind.Eof)
            {
                tokens.Add(new(kind, two, start));
                i += 2;
                continue;
            }

            if (char.IsAsciiDigit(c))
            {
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    i++;
                }

                if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
                {
                    i++;
                    while (i < s.Length && char.IsAsciiDigit(s[i]))
                    {
                        i++;
                    }
                }

                tokens.Add(new(TokenKind.Number, s[start..i], start));
                continue;
            }

            if (char.IsAsciiLetter(c) || c is '_' or '#' or '@' or '$' || (c == '%' && i + 1 < s.Length && IsIdentifierPart(s[i + 1])))
            {
                i++;
                if (c == '@' && i < s.Length && s[i] == '@')
                {
                    i++;
                }

                while (i < s.Length && IsIdentifierPart(s[i]))
                {
                    i++;
                }

                tokens.Add(new(TokenKind.Identifier, s[start..i], start));
                continue;
            }

            if (c is '\'' or '"')
            {
                i = ScanString(s, i) ?? throw new ExpressionParseException($"syntax error at column {start + 1} in '{s}': unterminated string");
                tokens.Add(new(TokenKind.String, s[start..i], start));
                continue;
            }

            kind = c switch
            {
                '+' => TokenKind.Plus,
                '-' => TokenKind.Minus,
                '!' => TokenKind.Not,
                '^' => TokenKind.Xor,
                '*' => TokenKind.Star,
                '/' => TokenKind.Slash,
                '%' => TokenKind.Percent,
                '&' => TokenKind.Amp,
                '<' => TokenKind.Lt,
                '>' => TokenKind.Gt,
                '(' => TokenKind.LParen,
                ')' => TokenKind.RParen,
                '.' => TokenKind.Dot,
                '[' => TokenKind.LBracket,
                ']' => TokenKind.RBracket,
                '{' => TokenKind.LBrace,
                '}' => TokenKind.RBrace,
                ',' => TokenKind.Comma,
                ':' => TokenKind.Colon,
                '?' => TokenKind.Question,
                '`' => TokenKind.Backtick,
                _ => throw new ExpressionParseException($"syntax error at column {start + 1} in '{s}': unexpected character '{c}'"),
            };
            tokens.Add(new(kind, c.ToString(), start));
            i++;
        }

        tokens.Add(new(TokenKind.Eof, string.Empty, s.Length));
        return tokens;
    }

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Scans a quoted string starting at <paramref name="start"/>; returns the index after its closing quote, or null.</summary>
    public static int? ScanString(string s, int start)
    {
        var quote = s[start];
        var i = start + 1;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && (s[i + 1] == quote || s[i + 1] == '\\'))
            {
                // An escaped quote at the very end would close nothing; ANTLR could then backtrack to a shorter
                // token. That corner is refused rather than guessed.
                if (s[i + 1] == quote && s.IndexOf(quote, i + 2) < 0)
                {
                    throw new UnsupportedFeatureException($"ambiguous string literal ending in an escaped quote: {s[start..]}");
                }

                i += 2;
                continue;
            }

            if (c == quote)
            {
                return i + 1;
            }

            i++;
        }

        return null;
    }
}

/// <summary>
/// Splits a template string the way the package does: it parses <c>`text`</c> as an adaptive-expressions string
/// interpolation, where <c>${...}</c> is an expression and <c>\$</c> and <c>\`</c> are escapes. Unlike the package,
/// which leaves an unterminated or empty <c>${</c> as literal text, this refuses it.
/// </summary>
internal static class Interpolation
{
    /// <summary>Null when the string holds no "${" and is therefore a plain literal.</summary>
    public static Expr? Parse(string s)
    {
        if (!s.Contains("${", StringComparison.Ordinal))
        {
            return null;
        }

        var children = new List<Expr> { new ConstantExpr(string.Empty) };
        var textRun = new StringBuilder();

        void FlushText()
        {
            if (textRun.Length > 0)
            {
                children.Add(new ConstantExpr(textRun.ToString()));
                textRun.Clear();
            }
        }

        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '`')
            {
                throw new ExpressionParseException("a backtick (`) in a string that contains ${...} ends the package's string interpolation early; escape it as \\`");
            }

            if (c == '\\' && i + 1 < s.Length && s[i + 1] is '`' or '$')
            {
                FlushText();
                children.Add(new ConstantExpr(s[i + 1].ToString()));
                i += 2;
                continue;
            }

            if (c == '$' && i + 1 < s.Length && s[i + 1] == '{')
            {
                // The package would print an unclosed or empty ${ as text; that is almost always a typo, so it is refused.
                var close = ScanTemplate(s, i) ?? throw new ExpressionParseException(
                    i + 2 < s.Length && s[i + 2] == '}'
                        ? $"empty expression '${{}}' at column {i + 1}; write \\${{ for a literal '${{'"
                        : $"'${{' at column {i + 1} is not closed by '}}' (an expression must be on one line with balanced quotes); write \\${{ for a literal '${{'");
                FlushText();
                children.Add(Parser.Parse(TrimExpression(s[i..close])));
                i = close;
                continue;
            }

            textRun.Append(c);
            i++;
        }

        FlushText();
        var concat = new CallExpr(Functions.Lookup("concat")!, [.. children]);

        // The package binds a string that is exactly one expression to that expression, keeping its type.
        if (children.Count == 2 && children[1] is not ConstantExpr)
        {
            return children[1];
        }

        return concat;
    }

    /// <summary>The lexer's TEMPLATE token: '${' (string | any char but CR LF { } ' " `)+ '}'; index after '}' or null.</summary>
    private static int? ScanTemplate(string s, int start)
    {
        var i = start + 2;
        var bodyLength = 0;
        while (i < s.Length)
        {
            var c = s[i];
            switch (c)
            {
                case '}':
                    return bodyLength > 0 ? i + 1 : null;
                case '\'' or '"':
                    var after = Lexer.ScanString(s, i);
                    if (after is null)
                    {
                        return null;
                    }

                    bodyLength += after.Value - i;
                    i = after.Value;
                    continue;
                case '{':
                    throw new UnsupportedFeatureException("'{' inside ${...} (object literal syntax) is not supported");
                case '\r' or '\n' or '`':
                    return null;
                default:
                    bodyLength++;
                    i++;
                    break;
            }
        }

        return null;
    }

    private static string TrimExpression(string expression)
    {
        var result = JsValue.JsTrim(expression);
        if (result.StartsWith('$'))
        {
            result = result[1..];
        }

        result = JsValue.JsTrim(result);
        if (result.StartsWith('{') && result.EndsWith('}'))
        {
            result = result[1..^1];
        }

        return JsValue.JsTrim(result);
    }
}
