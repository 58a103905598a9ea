using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StretchBot.Templating.Expressions;

namespace StretchBot.Templating;

/// <summary>
/// A compiled template value. Expansion writes JSON straight to a <see cref="Utf8JsonWriter"/>; each node knows how
/// the package treats its result in the three places a value can sit, because those differ:
/// as an object property (undefined drops the key, null stays), as an array element (null is dropped, arrays are
/// spliced in one level deep, undefined becomes null) and as the whole template.
/// </summary>
internal abstract class TemplateNode(string path)
{
    /// <summary>JSON path of this value in the template, for error messages.</summary>
    public string Path { get; } = path;

    /// <summary>True when the expansion cannot depend on data, so it can be computed once at parse time.</summary>
    public abstract bool IsStatic { get; }

    public abstract void WriteProperty(Utf8JsonWriter writer, JsonEncodedText name, EvalContext ctx);

    public abstract void WriteItems(Utf8JsonWriter writer, EvalContext ctx);

    public abstract void WriteRoot(Utf8JsonWriter writer, EvalContext ctx);
}

internal sealed class LiteralNode(JsonNode? value, string path) : TemplateNode(path)
{
    public override bool IsStatic => true;

    public override void WriteProperty(Utf8JsonWriter writer, JsonEncodedText name, EvalContext ctx)
    {
        writer.WritePropertyName(name);
        WriteRoot(writer, ctx);
    }

    public override void WriteItems(Utf8JsonWriter writer, EvalContext ctx)
    {
        if (value is not null)
        {
            value.WriteTo(writer);
        }
    }

    public override void WriteRoot(Utf8JsonWriter writer, EvalContext ctx)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }
}

/// <summary>A subtree without expressions: its three possible outputs are serialised at parse time and copied as raw JSON.</summary>
internal sealed class StaticNode : TemplateNode
{
    private readonly byte[]? propertyValue;
    private readonly byte[][] items;
    private readonly byte[] root;

    public StaticNode(TemplateNode node)
        : base(node.Path)
    {
        var ctx = new EvalContext(null);
        using var property = JsonDocument.Parse(Render(w =>
        {
            w.WriteStartObject();
            node.WriteProperty(w, JsonEncodedText.Encode("p"), ctx);
            w.WriteEndObject();
        }));
        propertyValue = property.RootElement.TryGetProperty("p", out var p) ? Encoding.UTF8.GetBytes(p.GetRawText()) : null;

        using var array = JsonDocument.Parse(Render(w =>
        {
            w.WriteStartArray();
            node.WriteItems(w, ctx);
            w.WriteEndArray();
        }));
        items = [.. array.RootElement.EnumerateArray().Select(e => Encoding.UTF8.GetBytes(e.GetRawText()))];
        root = Render(w => node.WriteRoot(w, ctx));
    }

    public override bool IsStatic => true;

    public override void WriteProperty(Utf8JsonWriter writer, JsonEncodedText name, EvalContext ctx)
    {
        if (propertyValue is not null)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(propertyValue, skipInputValidation: true);
        }
    }

    public override void WriteItems(Utf8JsonWriter writer, EvalContext ctx)
    {
        foreach (var item in items)
        {
            writer.WriteRawValue(item, skipInputValidation: true);
        }
    }

    public override void WriteRoot(Utf8JsonWriter writer, EvalContext ctx) => writer.WriteRawValue(root, skipInputValidation: true);

    private static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

internal sealed class ExpressionNode(Expr expression, string path) : TemplateNode(path)
{
    public override bool IsStatic => false;

    public override void WriteProperty(Utf8JsonWriter writer, JsonEncodedText name, EvalContext ctx)
    {
        var value = Evaluate(expression, ctx, Path);
        if (value is not Undefined)
        {
            writer.WritePropertyName(name);
            JsonOutput.WriteValue(writer, value);
        }
    }

    public override void WriteItems(Utf8JsonWriter writer, EvalContext ctx)
    {
        var value = Evaluate(expression, ctx, Path);
        if (value is null)
        {
            return;
        }

        if (JsValue.IsArray(value))
        {
            var n = JsValue.ArrayLength(value);
            for (var i = 0; i < n; i++)
            {
                JsonOutput.WriteValue(writer, JsValue.ArrayItem(value, i));
            }
        }
        else
        {
            JsonOutput.WriteValue(writer, value);
        }
    }

    public override void WriteRoot(Utf8JsonWriter writer, EvalContext ctx) => JsonOutput.WriteValue(writer, Evaluate(expression, ctx, Path));

    /// <summary>
    /// Template.internalTryEvaluateExpression with substitutions allowed: a top-level concat (every interpolated
    /// string, and concat()/&amp; themselves) is joined part by part with toString, a failing part printed back as
    /// <c>${part}</c>; any other failure fails the whole expansion.
    /// </summary>
    public static object? Evaluate(Expr expression, EvalContext ctx, string path)
    {
        try
        {
            if (expression is CallExpr { Type: "concat" } concat)
            {
                var sb = ctx.RentBuilder();
                try
                {
                    foreach (var part in concat.Args)
                    {
                        if (part is ConstantExpr { Value: string constant })
                        {
                            sb.Append(constant);
                            continue;
                        }

                        EvalResult r;
                        try
                        {
                            r = part.Eval(ctx, substitute: true);
                        }
                        catch (JsCrashException e)
                        {
                            r = EvalResult.Fail(e.Message);
                        }

                        if (r.IsError)
                        {
                            sb.Append("${").Append(part.ToString()).Append('}');
                        }
                        else
                        {
                            JsValue.AppendJsString(sb, r.Value);
                        }
                    }

                    return sb.ToString();
                }
                finally
                {
                    ctx.ReturnBuilder(sb);
                }
            }

            var result = expression.Eval(ctx, substitute: true);
            if (result.IsError)
            {
                throw new TemplateException($"Expression '{expression}' failed: {result.Error}", path);
            }

            return result.Value;
        }
        catch (JsCrashException e)
        {
            throw new TemplateException($"Expression '{expression}' failed: {e.Message}", path, e);
        }
        catch (UnsupportedFeatureException e)
        {
            throw new TemplateException(e.Message, path, e);
        }
    }
}

internal sealed class ArrayNode(TemplateNode[] items, string path) : TemplateNode(path)
{
    public override bool IsStatic => items.All(i => i.IsStatic);

    public override void WriteProperty(Utf8JsonWriter writer, JsonEncodedText name, EvalContext ctx)
    {
        writer.WritePropertyName(name);
        WriteRoot(writer, ctx);
    }

    // An array inside an array is spliced into it.
    public override void WriteItems(Utf8JsonWriter writer, EvalContext ctx)
    {
        foreach (var item in items)
        {
            item.WriteItems(writer, ctx);
        }
    }

    public override void WriteRoot(Utf8JsonWriter writer, EvalContext ctx)
    {
        writer.WriteStartArray();
        WriteItems(writer, ctx);
        writer.WriteEndArray();
    }
}

internal enum WhenKind
{
    None,
    Expression,
    AlwaysDrop,
}

/// <summary>An object, possibly bound to $data (repeated once per item when that is an array) and filtered by $when.</summary>
internal sealed class ObjectNode : TemplateNode
{
    private readonly (JsonEncodedText Name, TemplateNode Value)[] properties;
    private readonly WhenKind whenKind;
    private readonly Expr? when;
    private readonly bool hasData;
    private readonly Expr? dataExpression;
    private readonly object? dataLiteral;

    public ObjectNode(
        (JsonEncodedText Name, TemplateNode Value)[] properties,
        WhenKind whenKind,
        Expr? when,
        bool hasData,
        Expr? dataExpression,
        object? dataLiteral,
        string path)
        : base(path)
    {
        this.properties = properties;
        this.whenKind = whenKind;
        this.when = when;
        this.hasData = hasData;
        this.dataExpression = dataExpression;
        this.dataLiteral = dataLiteral;
    }

    public override bool IsStatic => !hasData && whenKind != WhenKind.Expression && properties.All(p => p.Value.IsStatic);

    public override void WriteProperty(Utf8JsonWriter writer, JsonEncodedText name, EvalContext ctx)
    {
        writer.WritePropertyName(name);
        WriteRoot(writer, ctx);
    }

    public override void WriteItems(Utf8JsonWriter writer, EvalContext ctx) => Write(writer, ctx, asItems: true);

    public override void WriteRoot(Utf8JsonWriter writer, EvalContext ctx) => Write(writer, ctx, asItems: false);

    /// <summary>
    /// The package gives null for no surviving object, the object itself for one and an array for several; in an
    /// array all of those splice to "the surviving objects".
    /// </summary>
    private void Write(Utf8JsonWriter writer, EvalContext ctx, bool asItems)
    {
        var (savedData, savedIndex) = (ctx.Data, ctx.Index);
        object? contexts = hasData
            ? dataExpression is not null ? ExpressionNode.Evaluate(dataExpression, ctx, Path + ".$data") : dataLiteral
            : Undefined.Value;

        if (!JsValue.IsArray(contexts))
        {
            if (contexts is not Undefined)
            {
                ctx.Data = contexts;
            }

            if (Keep(ctx))
            {
                WriteObject(writer, ctx);
            }
            else if (!asItems)
            {
                writer.WriteNullValue();
            }
        }
        else
        {
            var n = JsValue.ArrayLength(contexts);
            List<(object? Data, object? Index)>? kept = null;
            for (var i = 0; i < n; i++)
            {
                ctx.Index = (double)i;
                var item = JsValue.ArrayItem(contexts, i);
                if (item is not Undefined)
                {
                    ctx.Data = item;
                }

                if (Keep(ctx))
                {
                    (kept ??= new List<(object?, object?)>(n)).Add((ctx.Data, ctx.Index));
                }
            }

            var count = kept?.Count ?? 0;
            if (count == 0 && !asItems)
            {
                writer.WriteNullValue();
            }

            var wrap = count > 1 && !asItems;
            if (wrap)
            {
                writer.WriteStartArray();
            }

            for (var i = 0; i < count; i++)
            {
                (ctx.Data, ctx.Index) = kept![i];
                WriteObject(writer, ctx);
            }

            if (wrap)
            {
                writer.WriteEndArray();
            }
        }

        (ctx.Data, ctx.Index) = (savedData, savedIndex);
    }

    private bool Keep(EvalContext ctx)
    {
        switch (whenKind)
        {
            case WhenKind.AlwaysDrop:
                return false;
            case WhenKind.Expression:
                EvalResult r;
                try
                {
                    r = when!.Eval(ctx, substitute: false);
                }
                catch (JsCrashException e)
                {
                    throw new TemplateException($"$when '{when}' failed: {e.Message}", Path + ".$when", e);
                }
                catch (UnsupportedFeatureException e)
                {
                    throw new TemplateException(e.Message, Path + ".$when", e);
                }

                // Anything but a successful boolean true drops the element, as in the package.
                return !r.IsError && r.Value is true;
            default:
                return true;
        }
    }

    private void WriteObject(Utf8JsonWriter writer, EvalContext ctx)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in properties)
        {
            value.WriteProperty(writer, name, ctx);
        }

        writer.WriteEndObject();
    }
}

internal static class JsonOutput
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A JavaScript value as JSON.stringify writes it (undefined, NaN and infinities as null).</summary>
    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or Undefined:
                writer.WriteNullValue();
                break;
            case string s:
                if (HasLoneSurrogate(s))
                {
                    // JSON.stringify would write "\\udXXX", which System.Text.Json cannot read back into a string.
                    throw new UnsupportedFeatureException(
                        $"The result contains half of a UTF-16 surrogate pair (first(), last(), substring() or split() cut an emoji in two): \"{s}\"");
                }

                writer.WriteStringValue(s);
                break;
            case double d:
                if (double.IsFinite(d))
                {
                    writer.WriteNumberValue(d);
                }
                else
                {
                    writer.WriteNullValue();
                }

                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case List<object?> list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsObject obj:
                writer.WriteStartObject();
                foreach (var (key, item) in obj.Entries)
                {
                    if (item is not Undefined)
                    {
                        writer.WritePropertyName(key);
                        WriteValue(writer, item);
                    }
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}

internal static class TemplateCompiler
{
    private static readonly HashSet<string> ReservedKeys = new(StringComparer.Ordinal)
    {
        "$data", "$when", "$root", "$index", "$host", "$_acTemplateVersion",
    };

    public static TemplateNode Compile(JsonElement element, string path)
    {
        var node = CompileNode(element, path);
        return node.IsStatic ? new StaticNode(node) : node;
    }

    private static TemplateNode CompileNode(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                return CompileObject(element, path);
            case JsonValueKind.Array:
                var items = new List<TemplateNode>();
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(Compile(item, $"{path}[{i++}]"));
                }

                return new ArrayNode([.. items], path);
            case JsonValueKind.String:
                var text = element.GetString()!;
                var expression = ParseExpression(text, path);
                return expression is null ? new LiteralNode(JsonValue.Create(text), path) : new ExpressionNode(expression, path);
            case JsonValueKind.Number:
                // The package sees numbers as JavaScript doubles.
                return new LiteralNode(JsonValue.Create(element.GetDouble()), path);
            case JsonValueKind.True:
                return new LiteralNode(JsonValue.Create(true), path);
            case JsonValueKind.False:
                return new LiteralNode(JsonValue.Create(false), path);
            default:
                return new LiteralNode(null, path);
        }
    }

    private static ObjectNode CompileObject(JsonElement element, string path)
    {
        var properties = new List<(JsonEncodedText, TemplateNode)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var whenKind = WhenKind.None;
        Expr? when = null;
        var hasData = false;
        Expr? dataExpression = null;
        object? dataLiteral = null;

        foreach (var property in element.EnumerateObject())
        {
            var propertyPath = PropertyPath(path, property.Name);
            if (!seen.Add(property.Name))
            {
                throw new TemplateException($"Duplicate property '{property.Name}'", propertyPath);
            }

            switch (property.Name)
            {
                case "$when":
                    if (property.Value.ValueKind == JsonValueKind.String && ParseExpression(property.Value.GetString()!, propertyPath) is Expr whenExpression)
                    {
                        whenKind = WhenKind.Expression;
                        when = whenExpression;
                    }
                    else
                    {
                        // A $when that is not an expression drops the element when it is truthy, and is ignored otherwise.
                        whenKind = IsTruthyLiteral(property.Value) ? WhenKind.AlwaysDrop : WhenKind.None;
                    }

                    break;
                case "$data":
                    hasData = true;
                    if (property.Value.ValueKind == JsonValueKind.String && ParseExpression(property.Value.GetString()!, propertyPath) is Expr dataExpr)
                    {
                        dataExpression = dataExpr;
                    }
                    else
                    {
                        if (ContainsExpressionString(property.Value))
                        {
                            throw new TemplateException(
                                "A literal $data object or array containing ${...} is not supported (the official package binds the unevaluated expression objects)",
                                propertyPath);
                        }

                        dataLiteral = JsValue.FromNode(JsonNode.Parse(property.Value.GetRawText()));
                    }

                    break;
                default:
                    if (!ReservedKeys.Contains(property.Name))
                    {
                        properties.Add((JsonEncodedText.Encode(property.Name, JsonOutput.WriterOptions.Encoder), Compile(property.Value, propertyPath)));
                    }

                    break;
            }
        }

        return new ObjectNode([.. properties], whenKind, when, hasData, dataExpression, dataLiteral, path);
    }

    private static Expr? ParseExpression(string text, string path)
    {
        try
        {
            return Interpolation.Parse(text);
        }
        catch (ExpressionParseException e)
        {
            throw new TemplateException($"Invalid expression in \"{text}\": {e.Message}", path, e);
        }
        catch (UnsupportedFeatureException e)
        {
            throw new TemplateException($"Unsupported template syntax in \"{text}\": {e.Message}", path, e);
        }
    }

    private static bool IsTruthyLiteral(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.Object or JsonValueKind.Array => true,
        JsonValueKind.String => value.GetString()!.Length > 0,
        JsonValueKind.Number => value.GetDouble() != 0,
        _ => false,
    };

    private static bool ContainsExpressionString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!.Contains("${", StringComparison.Ordinal),
        JsonValueKind.Array => value.EnumerateArray().Any(ContainsExpressionString),
        JsonValueKind.Object => value.EnumerateObject().Any(p => ContainsExpressionString(p.Value)),
        _ => false,
    };

    private static string PropertyPath(string parent, string name)
    {
        var simple = name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] is '_' or '$') && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');
        return simple ? $"{parent}.{name}" : $"{parent}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
    }
}
