using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StretchBot.Templating.Expressions;

/// <summary>JavaScript's <c>undefined</c>, which the official engine treats differently from <c>null</c> almost everywhere.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Value = new();

    private Undefined()
    {
    }

    public override string ToString() => "undefined";
}

/// <summary>An object built during evaluation (where() over an object, foreach's key/value pairs).</summary>
internal sealed class JsObject(List<KeyValuePair<string, object?>> entries)
{
    public List<KeyValuePair<string, object?>> Entries { get; } = entries;
}

/// <summary>
/// Values during evaluation are JavaScript values: null, <see cref="Undefined"/>, bool, double, string,
/// arrays (<see cref="JsonArray"/> from data or <see cref="List{T}"/> built by functions) and objects
/// (<see cref="JsonObject"/> or <see cref="JsObject"/>). These helpers reproduce the JavaScript semantics the
/// official package inherits (toString, truthiness, parseInt, JSON.stringify, equality).
/// </summary>
internal static class JsValue
{
    /// <summary>JavaScript's Number.EPSILON (2^-52), the tolerance commonEquals uses for numbers.</summary>
    public const double NumberEpsilon = 2.220446049250313e-16;

    public static object? FromNode(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject or JsonArray:
                return node;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        return value.GetValue<string>();
                    case JsonValueKind.True:
                        return true;
                    case JsonValueKind.False:
                        return false;
                    case JsonValueKind.Number:
                        return value.TryGetValue<double>(out var d)
                            ? d
                            : double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
                    default:
                        return null;
                }

            default:
                return null;
        }
    }

    public static bool IsNullish(object? v) => v is null or Undefined;

    public static bool IsArray(object? v) => v is JsonArray or List<object?>;

    public static bool IsObject(object? v) => v is JsonObject or JsObject;

    public static bool IsNumber(object? v) => v is double d && !double.IsNaN(d);

    public static bool IsInteger(object? v) => v is double d && double.IsFinite(d) && Math.Floor(d) == d;

    public static int ArrayLength(object? v) => v switch
    {
        JsonArray a => a.Count,
        List<object?> l => l.Count,
        _ => 0,
    };

    public static object? ArrayItem(object? v, int i) => v switch
    {
        JsonArray a => FromNode(a[i]),
        List<object?> l => l[i],
        _ => Undefined.Value,
    };

    public static IEnumerable<object?> ArrayItems(object? v)
    {
        var n = ArrayLength(v);
        for (var i = 0; i < n; i++)
        {
            yield return ArrayItem(v, i);
        }
    }

    public static bool IsTruthy(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0,
        _ => true,
    };

    /// <summary>adaptive-expressions' isLogicTrue: only false, null and undefined are false (0 and "" are true).</summary>
    public static bool IsLogicTrue(object? v) => v switch
    {
        bool b => b,
        null or Undefined => false,
        _ => true,
    };

    /// <summary>Object.keys order: canonical array-index keys ascending, then the rest in insertion order.</summary>
    public static List<KeyValuePair<string, object?>> ObjectEntries(object? v)
    {
        var result = new List<KeyValuePair<string, object?>>();
        switch (v)
        {
            case JsonObject o:
                foreach (var kv in o)
                {
                    result.Add(new(kv.Key, FromNode(kv.Value)));
                }

                break;
            case JsObject o:
                result.AddRange(o.Entries);
                break;
        }

        if (result.Exists(kv => IsArrayIndex(kv.Key)))
        {
            var indexed = result.Where(kv => IsArrayIndex(kv.Key)).OrderBy(kv => uint.Parse(kv.Key, CultureInfo.InvariantCulture));
            result = [.. indexed, .. result.Where(kv => !IsArrayIndex(kv.Key))];
        }

        return result;
    }

    public static int ObjectCount(object? v) => v switch
    {
        JsonObject o => o.Count,
        JsObject o => o.Entries.Count,
        _ => 0,
    };

    private static bool IsArrayIndex(string key) =>
        key.Length > 0 && (key == "0" || key[0] != '0') && key.All(char.IsAsciiDigit)
        && uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n != uint.MaxValue;

    /// <summary>InternalFunctionUtils.accessProperty: case-insensitive, first match wins, falsy instances give undefined.</summary>
    public static object? AccessProperty(object? instance, string property)
    {
        if (!IsTruthy(instance))
        {
            return Undefined.Value;
        }

        switch (instance)
        {
            case JsonObject o:
                if (o.TryGetPropertyValue(property, out var exact) && !HasEarlierCaseVariant(o, property))
                {
                    return FromNode(exact);
                }

                foreach (var kv in o)
                {
                    if (string.Equals(kv.Key, property, StringComparison.OrdinalIgnoreCase))
                    {
                        return FromNode(kv.Value);
                    }
                }

                return Undefined.Value;
            case JsObject o:
                foreach (var kv in o.Entries)
                {
                    if (string.Equals(kv.Key, property, StringComparison.OrdinalIgnoreCase))
                    {
                        return kv.Value;
                    }
                }

                return Undefined.Value;
            case string s:
                return IsArrayIndex(property) && int.TryParse(property, NumberStyles.None, CultureInfo.InvariantCulture, out var ci) && ci < s.Length
                    ? s[ci].ToString()
                    : Undefined.Value;
            case JsonArray or List<object?>:
                return IsArrayIndex(property) && int.TryParse(property, NumberStyles.None, CultureInfo.InvariantCulture, out var ai) && ai < ArrayLength(instance)
                    ? ArrayItem(instance, ai)
                    : Undefined.Value;
            default:
                return Undefined.Value;
        }
    }

    // The exact key is the answer unless a differently-cased key comes before it; checking that is cheap
    // for the small objects cards bind to, and keeps the common path free of a full scan when keys differ in length.
    private static bool HasEarlierCaseVariant(JsonObject o, string property)
    {
        foreach (var kv in o)
        {
            if (ReferenceEquals(kv.Key, property) || string.Equals(kv.Key, property, StringComparison.Ordinal))
            {
                return false;
            }

            if (kv.Key.Length == property.Length && string.Equals(kv.Key, property, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>InternalFunctionUtils.accessIndex.</summary>
    public static bool TryAccessIndex(object? instance, double index, out object? value)
    {
        value = Undefined.Value;
        if (IsNullish(instance))
        {
            return true;
        }

        if (!IsArray(instance))
        {
            return false;
        }

        var length = ArrayLength(instance);
        if (index >= 0 && index < length)
        {
            value = ArrayItem(instance, (int)index);
            return true;
        }

        return false;
    }

    /// <summary>JavaScript's parseInt(s) (radix 10, or 16 after 0x); NaN when no digits lead.</summary>
    public static double ParseInt(string s)
    {
        var i = 0;
        while (i < s.Length && IsJsWhiteSpace(s[i]))
        {
            i++;
        }

        var sign = 1;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            sign = s[i] == '-' ? -1 : 1;
            i++;
        }

        var radix = 10;
        if (i + 1 < s.Length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
        {
            radix = 16;
            i += 2;
        }

        double result = 0;
        var any = false;
        for (; i < s.Length; i++)
        {
            var digit = HexValue(s[i]);
            if (digit < 0 || digit >= radix)
            {
                break;
            }

            result = (result * radix) + digit;
            any = true;
        }

        return any ? sign * result : double.NaN;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>JavaScript's parseFloat: the longest numeric prefix after leading white space.</summary>
    public static double ParseFloat(string s)
    {
        var i = 0;
        while (i < s.Length && IsJsWhiteSpace(s[i]))
        {
            i++;
        }

        var start = i;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            i++;
        }

        if (string.CompareOrdinal(s, i, "Infinity", 0, 8) == 0)
        {
            return s[start] == '-' ? double.NegativeInfinity : double.PositiveInfinity;
        }

        var digitsStart = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        var intDigits = i - digitsStart;
        var fracDigits = 0;
        if (i < s.Length && s[i] == '.')
        {
            var j = i + 1;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                j++;
            }

            fracDigits = j - i - 1;
            if (intDigits > 0 || fracDigits > 0)
            {
                i = j;
            }
        }

        if (intDigits == 0 && fracDigits == 0)
        {
            return double.NaN;
        }

        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            var j = i + 1;
            if (j < s.Length && (s[j] == '+' || s[j] == '-'))
            {
                j++;
            }

            var expStart = j;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                j++;
            }

            if (j > expStart)
            {
                i = j;
            }
        }

        return double.Parse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static bool IsJsWhiteSpace(char c) => c switch
    {
        '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00A0' or '\u1680' or '\u2028' or '\u2029'
            or '\u202F' or '\u205F' or '\u3000' or '\uFEFF' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };

    public static string JsTrim(string s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsJsWhiteSpace(s[start]))
        {
            start++;
        }

        while (end > start && IsJsWhiteSpace(s[end - 1]))
        {
            end--;
        }

        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary>Number.prototype.toString(): shortest round-trip digits, exponent form outside 1e-7..1e21.</summary>
    public static string NumberToString(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }

        if (d == 0)
        {
            return "0";
        }

        if (Math.Abs(d) < 1e15 && Math.Floor(d) == d)
        {
            return ((long)d).ToString(CultureInfo.InvariantCulture);
        }

        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }

        var exp = 0;
        var ePos = r.IndexOf('E', StringComparison.Ordinal);
        if (ePos >= 0)
        {
            exp = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..ePos];
        }

        var dot = r.IndexOf('.', StringComparison.Ordinal);
        var intLen = dot >= 0 ? dot : r.Length;
        var digits = dot >= 0 ? string.Concat(r.AsSpan(0, dot), r.AsSpan(dot + 1)) : r;
        var n = intLen + exp;
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..];
        n -= lead;
        digits = digits.TrimEnd('0');
        var k = digits.Length;

        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (k <= n && n <= 21)
        {
            sb.Append(digits).Append('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (-6 < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            var e = n - 1;
            sb.Append(digits[0]);
            if (k > 1)
            {
                sb.Append('.').Append(digits, 1, k - 1);
            }

            sb.Append('e').Append(e < 0 ? '-' : '+').Append(Math.Abs(e).ToString(CultureInfo.InvariantCulture));
        }

        return sb.ToString();
    }

    /// <summary>Number.prototype.toFixed(digits) for a non-negative value.</summary>
    public static string ToFixed(double d, int digits)
    {
        if (!double.IsFinite(d) || Math.Abs(d) >= 1e21)
        {
            return NumberToString(d);
        }

        return d.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Math.round: halves go towards +infinity.</summary>
    public static double MathRound(double x)
    {
        if (!double.IsFinite(x))
        {
            return x;
        }

        var floor = Math.Floor(x);
        return x - floor >= 0.5 ? floor + 1 : floor;
    }

    /// <summary>What <c>value.toString()</c> gives in JavaScript; null and undefined have no toString and throw.</summary>
    public static string ToJsString(object? v) => v switch
    {
        null or Undefined => throw new JsCrashException($"Cannot read properties of {(v is null ? "null" : "undefined")} (reading 'toString')"),
        string s => s,
        double d => NumberToString(d),
        bool b => b ? "true" : "false",
        JsonArray or List<object?> => string.Join(",", ArrayItems(v).Select(x => IsNullish(x) ? string.Empty : ToJsString(x))),
        _ => "[object Object]",
    };

    /// <summary><see cref="ToJsString"/> appended to a builder, without the intermediate string for the common cases.</summary>
    public static void AppendJsString(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case string s:
                sb.Append(s);
                break;
            case double d when Math.Abs(d) < 1e15 && Math.Floor(d) == d && !(d == 0 && double.IsNegative(d)):
                sb.Append((long)d);
                break;
            default:
                sb.Append(ToJsString(v));
                break;
        }
    }

    /// <summary>Template-literal / String(x) conversion, which, unlike toString, accepts null and undefined.</summary>
    public static string ToStringCoerce(object? v) => v switch
    {
        null => "null",
        Undefined => "undefined",
        _ => ToJsString(v),
    };

    /// <summary>JSON.stringify; null when JavaScript would return undefined.</summary>
    public static string? Stringify(object? v)
    {
        if (v is Undefined)
        {
            return null;
        }

        var sb = new StringBuilder();
        WriteJson(sb, v);
        return sb.ToString();
    }

    private static void WriteJson(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null or Undefined:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case double d:
                sb.Append(double.IsFinite(d) ? NumberToString(d) : "null");
                break;
            case string s:
                QuoteJson(sb, s);
                break;
            case JsonArray or List<object?>:
                sb.Append('[');
                var first = true;
                foreach (var item in ArrayItems(v))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteJson(sb, item);
                }

                sb.Append(']');
                break;
            default:
                sb.Append('{');
                var firstProp = true;
                foreach (var kv in ObjectEntries(v))
                {
                    if (kv.Value is Undefined)
                    {
                        continue;
                    }

                    if (!firstProp)
                    {
                        sb.Append(',');
                    }

                    firstProp = false;
                    QuoteJson(sb, kv.Key);
                    sb.Append(':');
                    WriteJson(sb, kv.Value);
                }

                sb.Append('}');
                break;
        }
    }

    private static void QuoteJson(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (c < 0x20
                        || (char.IsHighSurrogate(c) && (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])))
                        || (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1]))))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>InternalFunctionUtils.commonStringify.</summary>
    public static string CommonStringify(object? v)
    {
        if (IsNullish(v))
        {
            return string.Empty;
        }

        if (IsArray(v) || IsObject(v))
        {
            return Stringify(v)!.TrimStart('\'', '"').TrimEnd('\'', '"');
        }

        return ToJsString(v);
    }

    /// <summary>FunctionUtils.commonEquals, the semantics of == and equals().</summary>
    public static bool CommonEquals(object? a, object? b)
    {
        if (IsNullish(a) || IsNullish(b))
        {
            return IsNullish(a) && IsNullish(b);
        }

        if (IsArray(a) && IsArray(b))
        {
            var n = ArrayLength(a);
            if (n != ArrayLength(b))
            {
                return false;
            }

            for (var i = 0; i < n; i++)
            {
                if (!CommonEquals(ArrayItem(a, i), ArrayItem(b, i)))
                {
                    return false;
                }
            }

            return true;
        }

        if (IsObject(a) && IsObject(b))
        {
            return ObjectCount(a) == ObjectCount(b) && DeepStrictEquals(a, b);
        }

        if (a is double x && b is double y)
        {
            if (Math.Abs(x - y) < NumberEpsilon)
            {
                return true;
            }

            return x == y;
        }

        return StrictEquals(a, b);
    }

    public static bool StrictEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (Undefined, Undefined) => true,
        (double x, double y) => x == y,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (bool x, bool y) => x == y,
        _ => a is not null && ReferenceEquals(a, b),
    };

    // lodash isEqual as applied to JSON-like values.
    private static bool DeepStrictEquals(object? a, object? b)
    {
        if (IsArray(a) && IsArray(b))
        {
            var n = ArrayLength(a);
            if (n != ArrayLength(b))
            {
                return false;
            }

            for (var i = 0; i < n; i++)
            {
                if (!DeepStrictEquals(ArrayItem(a, i), ArrayItem(b, i)))
                {
                    return false;
                }
            }

            return true;
        }

        if (IsObject(a) && IsObject(b))
        {
            var ea = ObjectEntries(a);
            var eb = ObjectEntries(b);
            if (ea.Count != eb.Count)
            {
                return false;
            }

            foreach (var kv in ea)
            {
                var match = eb.FindIndex(x => x.Key == kv.Key);
                if (match < 0 || !DeepStrictEquals(kv.Value, eb[match].Value))
                {
                    return false;
                }
            }

            return true;
        }

        if (a is double x && b is double y)
        {
            return x == y || (double.IsNaN(x) && double.IsNaN(y));
        }

        return StrictEquals(a, b);
    }

    /// <summary>Converts an evaluation result to output JSON; NaN and infinities become JSON null as JSON.stringify does.</summary>
    public static JsonNode? ToJsonNode(object? v) => v switch
    {
        null or Undefined => null,
        bool b => JsonValue.Create(b),
        double d => double.IsFinite(d) ? JsonValue.Create(d) : null,
        string s => JsonValue.Create(s),
        JsonNode n => n.DeepClone(),
        List<object?> l => new JsonArray([.. l.Select(ToJsonNode)]),
        JsObject o => ToJsonObject(o),
        _ => null,
    };

    private static JsonObject ToJsonObject(JsObject o)
    {
        var result = new JsonObject();
        foreach (var kv in o.Entries)
        {
            if (kv.Value is not Undefined)
            {
                result[kv.Key] = ToJsonNode(kv.Value);
            }
        }

        return result;
    }
}

/// <summary>
/// A JavaScript exception thrown outside the evaluators' own error handling (for example calling toString on
/// null); the official package lets these escape, so they fail the expansion unless an interpolation catches them.
/// </summary>
internal sealed class JsCrashException(string message) : Exception(message);
