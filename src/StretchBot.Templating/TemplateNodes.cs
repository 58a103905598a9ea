using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StretchBot.Templating.Expressions;

namespace StretchBot.Templating;

internal enum OutKind
{
    /// <summary>JavaScript undefined: dropped from objects, null inside arrays.</summary>
    Undefined,

    /// <summary>JavaScript null: kept in objects, dropped from arrays.</summary>
    Null,

    /// <summary>A value; <see cref="Out.Node"/> may still be null for NaN and infinities, which serialise as null.</summary>
    Value,

    /// <summary>An array, which a parent array splices in (the package flattens one level).</summary>
    Array,
}

internal readonly record struct Out(OutKind Kind, JsonNode? Node, List<JsonNode?>? Items)
{
    public static readonly Out Undefined = new(OutKind.Undefined, null, null);
    public static readonly Out Null = new(OutKind.Null, null, null);

    public static Out Value(JsonNode? node) => new(OutKind.Value, node, null);

    public static Out Array(List<JsonNode?> items) => new(OutKind.Array, null, items);

    public static Out FromValue(object? value)
    {
        switch (value)
        {
            case Expressions.Undefined:
                return Undefined;
            case null:
                return Null;
            default:
                if (JsValue.IsArray(value))
                {
                    var items = new List<JsonNode?>(JsValue.ArrayLength(value));
                    foreach (var item in JsValue.ArrayItems(value))
                    {
                        items.Add(JsValue.ToJsonNode(item));
                    }

                    return Array(items);
                }

                return Value(JsValue.ToJsonNode(value));
        }
    }

    public JsonNode? ToNode() => Kind switch
    {
        OutKind.Value => Node,
        OutKind.Array => new JsonArray([.. Items!]),
        _ => null,
    };

    public Out DeepClone() => Kind switch
    {
        OutKind.Value => Value(Node?.DeepClone()),
        OutKind.Array => Array(Items!.ConvertAll(n => n?.DeepClone())),
        _ => this,
    };
}

internal abstract class TemplateNode(string path)
{
    /// <summary>JSON path of this value in the template, for error messages.</summary>
    public string Path { get; } = path;

    /// <summary>True when expansion cannot depend on data, so the result can be computed once at parse time.</summary>
    public abstract bool IsStatic { get; }

    public abstract Out Expand(EvalContext ctx);
}

internal sealed class LiteralNode(JsonNode? value, string path) : TemplateNode(path)
{
    public override bool IsStatic => true;

    public override Out Expand(EvalContext ctx) => value is null ? Out.Null : Out.Value(value.DeepClone());
}

/// <summary>A subtree without expressions, expanded once at parse time and cloned on every expansion.</summary>
internal sealed class StaticNode(Out result, string path) : TemplateNode(path)
{
    public override bool IsStatic => true;

    public override Out Expand(EvalContext ctx) => result.DeepClone();
}

internal sealed class ExpressionNode(Expr expression, string path) : TemplateNode(path)
{
    public Expr Expression { get; } = expression;

    public override bool IsStatic => false;

    public override Out Expand(EvalContext ctx) => Out.FromValue(Evaluate(Expression, ctx, Path));

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
                var sb = new StringBuilder();
                foreach (var part in concat.Args)
                {
                    EvalResult r;
                    try
                    {
                        r = part.Eval(ctx, substitute: true);
                    }
                    catch (JsCrashException e)
                    {
                        r = EvalResult.Fail(e.Message);
                    }

                    sb.Append(r.IsError ? "${" + part + "}" : JsValue.ToJsString(r.Value));
                }

                return sb.ToString();
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

    public override Out Expand(EvalContext ctx)
    {
        var result = new List<JsonNode?>(items.Length);
        var (data, index) = (ctx.Data, ctx.Index);
        foreach (var item in items)
        {
            var expanded = item.Expand(ctx);
            switch (expanded.Kind)
            {
                case OutKind.Null:
                    break;
                case OutKind.Array:
                    result.AddRange(expanded.Items!);
                    break;
                default:
                    result.Add(expanded.Node);
                    break;
            }
        }

        (ctx.Data, ctx.Index) = (data, index);
        return Out.Array(result);
    }
}

internal enum WhenKind
{
    None,
    Expression,
    AlwaysDrop,
}

internal sealed class ObjectNode : TemplateNode
{
    private readonly KeyValuePair<string, TemplateNode>[] properties;
    private readonly WhenKind whenKind;
    private readonly Expr? when;
    private readonly Expr? dataExpression;
    private readonly object? dataLiteral;
    private readonly bool hasData;

    public ObjectNode(
        KeyValuePair<string, TemplateNode>[] properties,
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

    public override Out Expand(EvalContext ctx)
    {
        var (savedData, savedIndex) = (ctx.Data, ctx.Index);
        object? contexts = Expressions.Undefined.Value;
        if (hasData)
        {
            contexts = dataExpression is not null ? ExpressionNode.Evaluate(dataExpression, ctx, Path + ".$data") : dataLiteral;
        }

        Out result;
        if (JsValue.IsArray(contexts))
        {
            var n = JsValue.ArrayLength(contexts);
            var items = new List<JsonNode?>(n);
            for (var i = 0; i < n; i++)
            {
                ctx.Index = (double)i;
                var item = JsValue.ArrayItem(contexts, i);
                if (item is not Expressions.Undefined)
                {
                    ctx.Data = item;
                }

                if (Keep(ctx))
                {
                    items.Add(ExpandProperties(ctx));
                }
            }

            result = items.Count switch
            {
                0 => Out.Null,
                1 => Out.Value(items[0]),
                _ => Out.Array(items),
            };
        }
        else
        {
            if (contexts is not Expressions.Undefined)
            {
                ctx.Data = contexts;
            }

            result = Keep(ctx) ? Out.Value(ExpandProperties(ctx)) : Out.Null;
        }

        (ctx.Data, ctx.Index) = (savedData, savedIndex);
        return result;
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

    private JsonObject ExpandProperties(EvalContext ctx)
    {
        var result = new JsonObject();
        foreach (var (key, node) in properties)
        {
            var value = node.Expand(ctx);
            if (value.Kind != OutKind.Undefined)
            {
                result[key] = value.ToNode();
            }
        }

        return result;
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
        return node is not LiteralNode && node.IsStatic ? new StaticNode(node.Expand(new EvalContext(null)), path) : node;
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
        var properties = new List<KeyValuePair<string, TemplateNode>>();
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
                        properties.Add(new(property.Name, Compile(property.Value, propertyPath)));
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
