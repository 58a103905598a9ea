using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StretchBot.Templating.Expressions;

internal delegate EvalResult Evaluator(CallExpr call, EvalContext ctx, bool substitute);

internal delegate string? Verifier(object? value, Expr arg, int position);

internal sealed class FunctionDef(string type, ReturnType returnType, Action<CallExpr> validate, Evaluator evaluate)
{
    public string Type { get; } = type;

    public ReturnType ReturnType { get; } = returnType;

    public void Validate(CallExpr call) => validate(call);

    public EvalResult Evaluate(CallExpr call, EvalContext ctx, bool substitute) => evaluate(call, ctx, substitute);
}

/// <summary>
/// The adaptive-expressions built-ins this engine supports, each ported from the package's JavaScript
/// (validators run at parse time, evaluators reproduce its error and null-substitution behaviour).
/// </summary>
internal static class Functions
{
    private const int MaxArity = int.MaxValue;

    private static readonly Dictionary<string, FunctionDef> Table = Build();

    public static FunctionDef? Lookup(string name) => Table.GetValueOrDefault(name);

    public static IEnumerable<string> Names => Table.Keys;

    private static Dictionary<string, FunctionDef> Build()
    {
        var t = new Dictionary<string, FunctionDef>(StringComparer.Ordinal);

        void Add(string name, FunctionDef def, params string[] aliases)
        {
            t[name] = def;
            foreach (var alias in aliases)
            {
                t[alias] = def;
            }
        }

        // Arithmetic
        Add("+", new("+", ReturnType.String | ReturnType.Number, c => ArityAndType(c, 2, MaxArity, ReturnType.String | ReturnType.Number),
            SequenceWithError(AddPair, VerifyNumberOrStringOrNull)), "add");
        Add("-", Numeric("-", (a, b) => a - b), "sub");
        Add("*", Numeric("*", (a, b) => a * b), "mul");
        Add("/", new("/", ReturnType.Number, c => ArityAndType(c, 2, MaxArity, ReturnType.Number),
            Sequence(DividePair, VerifyDivisor)), "div");
        Add("^", new("^", ReturnType.Number, c => ArityAndType(c, 2, MaxArity, ReturnType.Number),
            Sequence(args => Math.Pow(AsNumber(args[0]), AsNumber(args[1])), VerifyNumberOrNumericList)), "exp");
        Add("%", new("%", ReturnType.Number, c => ArityAndType(c, 2, 2, ReturnType.Number), Apply(ModImpl, VerifyInteger)), "mod");
        Add("max", new("max", ReturnType.Number, c => ArityAndType(c, 1, MaxArity), Apply(args => EvalResult.Ok(MinMax(args, max: true)), VerifyNumberOrNumericList)));
        Add("min", new("min", ReturnType.Number, c => ArityAndType(c, 1, MaxArity), Apply(args => EvalResult.Ok(MinMax(args, max: false)), VerifyNumberOrNumericList)));
        Add("round", new("round", ReturnType.Number, c => ArityAndType(c, 1, 2, ReturnType.Number), Apply(RoundImpl, VerifyNumber)));

        // Comparison and logic
        Add("==", Comparison("==", c => ArityAndType(c, 2, 2), args => JsValue.CommonEquals(args[0], args[1]), null), "equals");
        Add("!=", Comparison("!=", c => ArityAndType(c, 2, 2), args => !JsValue.CommonEquals(args[0], args[1]), null));
        Add("<", Comparison("<", c => ArityAndType(c, 2, 2), args => Compare(args) < 0, VerifyNotNull), "less");
        Add("<=", Comparison("<=", c => ArityAndType(c, 2, 2), args => Compare(args) <= 0, VerifyNotNull), "lessOrEquals");
        Add(">", Comparison(">", c => ArityAndType(c, 2, 2), args => Compare(args) > 0, VerifyNotNull), "greater");
        Add(">=", Comparison(">=", c => ArityAndType(c, 2, 2), args => Compare(args) >= 0, VerifyNotNull), "greaterOrEquals");
        Add("exists", Comparison("exists", c => ArityAndType(c, 1, 1), args => !JsValue.IsNullish(args[0]), VerifyNotNull));
        Add("empty", Comparison("empty", c => ArityAndType(c, 1, 1), args => IsEmpty(args[0]), VerifyContainerOrNull));
        Add("&&", new("&&", ReturnType.Boolean, c => ArityAndType(c, 1, MaxArity), AndImpl), "and");
        Add("||", new("||", ReturnType.Boolean, c => ArityAndType(c, 1, MaxArity), OrImpl), "or");
        Add("!", new("!", ReturnType.Boolean, c => ArityAndType(c, 1, 1), NotImpl), "not");
        Add("if", new("if", ReturnType.Object, c => ArityAndType(c, 3, 3), IfImpl));
        Add("coalesce", new("coalesce", ReturnType.Object, c => ArityAndType(c, 1, MaxArity),
            Apply(args => EvalResult.Ok(args.FirstOrDefault(a => !JsValue.IsNullish(a), Undefined.Value)), null)), "??");

        // Strings and collections
        Add("concat", new("concat", ReturnType.String | ReturnType.Array, c => ArityAndType(c, 1, MaxArity), Sequence(ConcatPair, null)), "&");
        Add("count", new("count", ReturnType.Number, c => Order(c, [], ReturnType.String | ReturnType.Array), Apply(CountImpl, VerifyContainer)));
        Add("length", new("length", ReturnType.Number, c => ArityAndType(c, 1, 1, ReturnType.String),
            Apply(args => EvalResult.Ok((double)StringOrEmpty(args[0]).Length), VerifyStringOrUndefined)));
        Add("join", new("join", ReturnType.String, c => Order(c, [ReturnType.String], ReturnType.Array, ReturnType.String), JoinImpl));
        Add("string", new("string", ReturnType.String, c => Order(c, [ReturnType.String], ReturnType.Object), Apply(StringImpl, null)));
        Add("int", new("int", ReturnType.Number, c => ArityAndType(c, 1, 1), Apply(IntImpl, null)));
        Add("float", new("float", ReturnType.Number, c => ArityAndType(c, 1, 1), Apply(FloatImpl, null)));
        Add("toUpper", StringTransform("toUpper", c => ArityAndType(c, 1, 2, ReturnType.String), s => JsCase.ToUpper(s)));
        Add("toLower", StringTransform("toLower", c => ArityAndType(c, 1, 2, ReturnType.String), s => JsCase.ToLower(s)));
        Add("trim", StringTransform("trim", c => ArityAndType(c, 1, 1, ReturnType.String), JsValue.JsTrim));
        Add("substring", new("substring", ReturnType.String, c => Order(c, [ReturnType.Number], ReturnType.String, ReturnType.Number), SubstringImpl));
        Add("replace", new("replace", ReturnType.String, c => ArityAndType(c, 3, 3, ReturnType.String), Apply(ReplaceImpl, VerifyStringOrUndefined)));
        Add("contains", new("contains", ReturnType.Boolean, c => ArityAndType(c, 2, 2), ContainsImpl));
        Add("startsWith", new("startsWith", ReturnType.Boolean, c => ArityAndType(c, 2, 2, ReturnType.String),
            Apply(args => EvalResult.Ok(StringOrEmpty(args[0]).StartsWith(StringOrEmpty(args[1]), StringComparison.Ordinal)), VerifyStringOrUndefined)));
        Add("endsWith", new("endsWith", ReturnType.Boolean, c => ArityAndType(c, 2, 2, ReturnType.String),
            Apply(args => EvalResult.Ok(StringOrEmpty(args[0]).EndsWith(StringOrEmpty(args[1]), StringComparison.Ordinal)), VerifyStringOrUndefined)));
        Add("first", new("first", ReturnType.Object, c => ArityAndType(c, 1, 1), Apply(args => EvalResult.Ok(FirstOrLast(args[0], first: true)), null)));
        Add("last", new("last", ReturnType.Object, c => ArityAndType(c, 1, 1), Apply(args => EvalResult.Ok(FirstOrLast(args[0], first: false)), null)));
        Add("formatNumber", new("formatNumber", ReturnType.String, c => Order(c, [ReturnType.String], ReturnType.Number, ReturnType.Number), Apply(FormatNumberImpl, null)));
        Add("indexOf", new("indexOf", ReturnType.Number, c => Order(c, [], ReturnType.String | ReturnType.Array, ReturnType.Object), IndexOfImpl));
        Add("split", new("split", ReturnType.Array, c => ArityAndType(c, 1, 2, ReturnType.String), Apply(SplitImpl, VerifyStringOrUndefined)));
        Add("createArray", new("createArray", ReturnType.Array, _ => { }, Apply(args => EvalResult.Ok(new List<object?>(args)), null)));
        Add("json", new("json", ReturnType.Object, c => Order(c, null, ReturnType.String), Apply(JsonImpl, null)));
        Add("where", new("where", ReturnType.Array, ValidateLambda, WhereImpl));
        Add("select", new("select", ReturnType.Array, ValidateLambda, ForeachImpl));
        Add("foreach", new("foreach", ReturnType.Array, ValidateLambda, ForeachImpl));
        return t;
    }

    // ---- validators (FunctionUtils.validateArityAndAnyType / validateOrder) ----

    private static void ArityAndType(CallExpr call, int min, int max, ReturnType type = ReturnType.Object)
    {
        if (call.Args.Length < min)
        {
            throw new ExpressionParseException($"{call} should have at least {min} children.");
        }

        if (call.Args.Length > max)
        {
            throw new ExpressionParseException($"{call} can't have more than {max} children.");
        }

        if ((type & ReturnType.Object) == 0)
        {
            foreach (var arg in call.Args)
            {
                CheckType(call, arg, type);
            }
        }
    }

    private static void Order(CallExpr call, ReturnType[]? optional, params ReturnType[] types)
    {
        optional ??= [];
        if (call.Args.Length < types.Length || call.Args.Length > types.Length + optional.Length)
        {
            throw new ExpressionParseException(optional.Length == 0
                ? $"{call} should have {types.Length} children."
                : $"{call} should have between {types.Length} and {types.Length + optional.Length} children.");
        }

        for (var i = 0; i < call.Args.Length; i++)
        {
            var type = i < types.Length ? types[i] : optional[i - types.Length];
            if ((type & ReturnType.Object) == 0)
            {
                CheckType(call, call.Args[i], type);
            }
        }
    }

    private static void CheckType(CallExpr call, Expr arg, ReturnType type)
    {
        if ((arg.ReturnType & ReturnType.Object) == 0 && (type & arg.ReturnType) == 0)
        {
            var names = Enum.GetValues<ReturnType>().Where(v => (type & v) != 0).Select(v => v.ToString()).ToList();
            throw new ExpressionParseException(names.Count == 1
                ? $"{arg} is not a {names[0]} expression in {call}."
                : $"{arg} in {call} is not any of [{string.Join(", ", names)}].");
        }
    }

    private static void ValidateLambda(CallExpr call)
    {
        if (call.Args.Length != 3)
        {
            throw new ExpressionParseException($"Lambda expression expect 3 parameters, found {call.Args.Length}");
        }

        if (call.Args[1] is not AccessorExpr { Instance: null })
        {
            throw new ExpressionParseException($"Second parameter is not an identifier : {call.Args[1]}");
        }
    }

    // ---- evaluation plumbing (FunctionUtils.evaluateChildren / apply / applySequence) ----

    private static (object?[] Args, string? Error) EvaluateChildren(CallExpr call, EvalContext ctx, bool substitute, Verifier? verify)
    {
        var args = new object?[call.Args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            var r = call.Args[i].Eval(ctx, substitute);
            if (r.IsError)
            {
                return (args, r.Error);
            }

            var error = verify?.Invoke(r.Value, call.Args[i], i);
            if (error is not null)
            {
                return (args, error);
            }

            args[i] = r.Value;
        }

        return (args, null);
    }

    private static Evaluator Apply(Func<object?[], EvalResult> func, Verifier? verify) => (call, ctx, substitute) =>
    {
        var (args, error) = EvaluateChildren(call, ctx, substitute, verify);
        return error is not null ? EvalResult.Fail(error) : func(args);
    };

    private static Evaluator Sequence(Func<object?[], object?> func, Verifier? verify) =>
        SequenceWithError(pair => EvalResult.Ok(func(pair)), verify);

    private static Evaluator SequenceWithError(Func<object?[], EvalResult> func, Verifier? verify) => Apply(args =>
    {
        var soFar = args[0];
        var pair = new object?[2];
        for (var i = 1; i < args.Length; i++)
        {
            pair[0] = soFar;
            pair[1] = args[i];
            var r = func(pair);
            if (r.IsError)
            {
                return r;
            }

            soFar = r.Value;
        }

        return EvalResult.Ok(soFar);
    }, verify);

    private static FunctionDef Numeric(string type, Func<double, double, double> op) =>
        new(type, ReturnType.Number, c => ArityAndType(c, 2, MaxArity, ReturnType.Number),
            Sequence(args => op(AsNumber(args[0]), AsNumber(args[1])), VerifyNumber));

    /// <summary>ComparisonEvaluator: operands evaluate without null substitution and their errors read as false.</summary>
    private static FunctionDef Comparison(string type, Action<CallExpr> validate, Func<object?[], bool> func, Verifier? verify) =>
        new(type, ReturnType.Boolean, validate, (call, ctx, _) =>
        {
            var (args, error) = EvaluateChildren(call, ctx, substitute: false, verify);
            if (error is not null)
            {
                return EvalResult.Ok(false);
            }

            try
            {
                return EvalResult.Ok(func(args));
            }
            catch (ComparisonException e)
            {
                return new EvalResult(false, e.Message);
            }
        });

    private static FunctionDef StringTransform(string type, Action<CallExpr> validate, Func<string, string> transform) =>
        new(type, ReturnType.String, validate, Apply(args =>
        {
            if (args.Length == 2 && !IsPlainLocale(args[1]))
            {
                throw new UnsupportedFeatureException($"{type}() with locale '{JsValue.ToStringCoerce(args[1])}' is not supported.");
            }

            return EvalResult.Ok(transform(StringOrEmpty(args[0])));
        }, VerifyStringOrUndefined));

    // Turkish, Azeri and Lithuanian case mappings differ from the root locale; other simple tags behave alike.
    private static bool IsPlainLocale(object? locale) =>
        locale is Undefined
        || (locale is string s && s.Length is 2 or 5 && char.IsAsciiLetterLower(s[0]) && char.IsAsciiLetterLower(s[1])
            && (s.Length == 2 || (s[2] == '-' && char.IsAsciiLetterUpper(s[3]) && char.IsAsciiLetterUpper(s[4])))
            && s[..2] is not ("tr" or "az" or "lt"));

    // ---- verifiers ----

    private static string? VerifyNumber(object? v, Expr arg, int _) => JsValue.IsNumber(v) ? null : $"{arg} is not a number.";

    private static string? VerifyDivisor(object? v, Expr arg, int position) =>
        VerifyNumber(v, arg, position) ?? (position > 0 && (double)v! == 0 ? $"Cannot divide by 0 from {arg}" : null);

    private static string? VerifyInteger(object? v, Expr arg, int _) => JsValue.IsInteger(v) ? null : $"{arg} is not a integer.";

    private static string? VerifyNumberOrNumericList(object? v, Expr arg, int _)
    {
        if (JsValue.IsNumber(v))
        {
            return null;
        }

        if (!JsValue.IsArray(v))
        {
            return $"{arg} is neither a list nor a number.";
        }

        foreach (var item in JsValue.ArrayItems(v))
        {
            if (!JsValue.IsNumber(item))
            {
                return $"{JsValue.ToStringCoerce(item)} is not a number in {arg}.";
            }
        }

        return null;
    }

    private static string? VerifyNumberOrStringOrNull(object? v, Expr arg, int _) =>
        v is string or Undefined || JsValue.IsNumber(v) ? null : $"{arg} is neither a number nor string";

    private static string? VerifyStringOrUndefined(object? v, Expr arg, int _) =>
        v is string or Undefined ? null : $"{arg} is neither a string nor a null object.";

    private static string? VerifyNotNull(object? v, Expr arg, int _) => JsValue.IsNullish(v) ? $"{arg} is null." : null;

    // typeof null is "object", so null passes as a container.
    private static string? VerifyContainer(object? v, Expr arg, int _) =>
        v is string or null || JsValue.IsArray(v) || JsValue.IsObject(v) ? null : $"{arg} must be a string, list, map or object.";

    private static string? VerifyContainerOrNull(object? v, Expr arg, int _) =>
        JsValue.IsNullish(v) || v is string || JsValue.IsArray(v) || JsValue.IsObject(v) ? null : $"{arg} must be a string, list, map or object.";

    // ---- implementations ----

    private static double AsNumber(object? v) => v is double d ? d : double.NaN;

    private static string StringOrEmpty(object? v) => v as string ?? string.Empty;

    private static EvalResult AddPair(object?[] args)
    {
        var (a, b) = (args[0], args[1]);
        if ((JsValue.IsNullish(a) && JsValue.IsNumber(b)) || (JsValue.IsNullish(b) && JsValue.IsNumber(a)))
        {
            return EvalResult.Fail("Operator '+' or add cannot be applied to operands of type 'number' and null object.");
        }

        if (!JsValue.IsNumber(a) || !JsValue.IsNumber(b))
        {
            if (JsValue.IsNullish(a) && JsValue.IsNullish(b))
            {
                return EvalResult.Ok(string.Empty);
            }

            if (JsValue.IsNullish(a))
            {
                return EvalResult.Ok(JsValue.ToJsString(b));
            }

            if (JsValue.IsNullish(b))
            {
                return EvalResult.Ok(JsValue.ToJsString(a));
            }

            return EvalResult.Ok(JsValue.ToJsString(a) + JsValue.ToJsString(b));
        }

        return EvalResult.Ok((double)a! + (double)b!);
    }

    private static object? DividePair(object?[] args)
    {
        var (a, b) = ((double)args[0]!, (double)args[1]!);
        var result = a / b;
        return JsValue.IsInteger(a) && JsValue.IsInteger(b) ? Math.Floor(result) : result;
    }

    private static EvalResult ModImpl(object?[] args)
    {
        var (a, b) = ((double)args[0]!, (double)args[1]!);
        return b == 0 ? EvalResult.Fail("Cannot mod by 0.") : EvalResult.Ok(a % b);
    }

    private static double MinMax(object?[] args, bool max)
    {
        var result = max ? double.NegativeInfinity : double.PositiveInfinity;
        foreach (var arg in args)
        {
            var values = JsValue.IsArray(arg) ? JsValue.ArrayItems(arg) : [arg];
            foreach (var v in values)
            {
                var d = AsNumber(v);
                result = double.IsNaN(d) || double.IsNaN(result) ? double.NaN : max ? Math.Max(result, d) : Math.Min(result, d);
            }
        }

        return result;
    }

    private static EvalResult RoundImpl(object?[] args)
    {
        if (args.Length == 2 && !JsValue.IsInteger(args[1]))
        {
            return EvalResult.Fail($"The second parameter {JsValue.ToStringCoerce(args[1])} must be an integer.");
        }

        var digits = args.Length == 2 ? (double)args[1]! : 0;
        if (digits < 0 || digits > 15)
        {
            return EvalResult.Fail($"The second parameter {JsValue.ToStringCoerce(args[1])} must be an integer between 0 and 15;");
        }

        return EvalResult.Ok(RoundToPrecision((double)args[0]!, digits));
    }

    private static double RoundToPrecision(double num, double digits) =>
        JsValue.MathRound(num * Math.Pow(10, digits)) / Math.Pow(10, digits);

    private sealed class ComparisonException(string message) : Exception(message);

    private static int Compare(object?[] args) => (args[0], args[1]) switch
    {
        (double a, double b) when !double.IsNaN(a) && !double.IsNaN(b) => a.CompareTo(b),
        (string a, string b) => Math.Sign(string.CompareOrdinal(a, b)),
        _ => throw new ComparisonException($"{JsValue.ToStringCoerce(args[0])} and {JsValue.ToStringCoerce(args[1])} must be comparable."),
    };

    private static bool IsEmpty(object? v) => v switch
    {
        null or Undefined => true,
        string s => s.Length == 0,
        _ when JsValue.IsArray(v) => JsValue.ArrayLength(v) == 0,
        _ => JsValue.ObjectCount(v) == 0,
    };

    private static EvalResult AndImpl(CallExpr call, EvalContext ctx, bool _)
    {
        foreach (var arg in call.Args)
        {
            var r = arg.Eval(ctx, substitute: false);
            if (r.IsError || !JsValue.IsLogicTrue(r.Value))
            {
                return EvalResult.Ok(false);
            }
        }

        return EvalResult.Ok(true);
    }

    // or() answers the last operand's own value when none is true, so or(false, null) is null, not false.
    private static EvalResult OrImpl(CallExpr call, EvalContext ctx, bool _)
    {
        object? result = false;
        foreach (var arg in call.Args)
        {
            var r = arg.Eval(ctx, substitute: false);
            result = r.Value;
            if (!r.IsError && JsValue.IsLogicTrue(r.Value))
            {
                return EvalResult.Ok(true);
            }
        }

        return EvalResult.Ok(result);
    }

    private static EvalResult NotImpl(CallExpr call, EvalContext ctx, bool _)
    {
        var r = call.Args[0].Eval(ctx, substitute: false);
        return EvalResult.Ok(r.IsError || !JsValue.IsLogicTrue(r.Value));
    }

    private static EvalResult IfImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        var condition = call.Args[0].Eval(ctx, substitute: false);
        return !condition.IsError && JsValue.IsLogicTrue(condition.Value)
            ? call.Args[1].Eval(ctx, substitute)
            : call.Args[2].Eval(ctx, substitute);
    }

    private static object? ConcatPair(object?[] args)
    {
        var (a, b) = (args[0], args[1]);
        var (aList, bList) = (JsValue.IsArray(a), JsValue.IsArray(b));
        if (JsValue.IsNullish(a) && JsValue.IsNullish(b))
        {
            return Undefined.Value;
        }

        if (JsValue.IsNullish(a) && bList)
        {
            return b;
        }

        if (JsValue.IsNullish(b) && aList)
        {
            return a;
        }

        if (aList && bList)
        {
            return new List<object?>([.. JsValue.ArrayItems(a), .. JsValue.ArrayItems(b)]);
        }

        return JsValue.CommonStringify(a) + JsValue.CommonStringify(b);
    }

    private static EvalResult CountImpl(object?[] args)
    {
        var v = args[0];
        return v switch
        {
            string s => EvalResult.Ok((double)s.Length),
            null => EvalResult.Fail("Cannot convert undefined or null to object"),
            _ when JsValue.IsArray(v) => EvalResult.Ok((double)JsValue.ArrayLength(v)),
            _ => EvalResult.Ok((double)JsValue.ObjectCount(v)),
        };
    }

    private static string JsJoin(object? array, object? separator)
    {
        var sep = separator is Undefined ? "," : JsValue.ToStringCoerce(separator);
        return string.Join(sep, JsValue.ArrayItems(array).Select(x => JsValue.IsNullish(x) ? string.Empty : JsValue.ToJsString(x)));
    }

    private static EvalResult JoinImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        var (args, error) = EvaluateChildren(call, ctx, substitute, null);
        if (error is not null)
        {
            return EvalResult.Fail(error);
        }

        if (!JsValue.IsArray(args[0]))
        {
            return EvalResult.Fail($"{call.Args[0]} evaluates to {JsValue.ToStringCoerce(args[0])} which is not a list.");
        }

        if (args.Length == 2)
        {
            return EvalResult.Ok(JsJoin(args[0], args[1]));
        }

        var n = JsValue.ArrayLength(args[0]);
        if (n < 3)
        {
            return EvalResult.Ok(JsJoin(args[0], args[2]));
        }

        var head = new List<object?>(JsValue.ArrayItems(args[0]).Take(n - 1));
        var last = JsValue.ArrayItem(args[0], n - 1);
        return EvalResult.Ok(JsJoin(head, args[1]) + JsValue.ToStringCoerce(args[2]) + JsValue.ToStringCoerce(last));
    }

    private static EvalResult StringImpl(object?[] args)
    {
        var v = args[0];
        if (v is string s)
        {
            return EvalResult.Ok(s);
        }

        if (JsValue.IsNumber(v))
        {
            if (args.Length == 2 && args[1] is string locale && !D3Format.IsDefaultLocale(locale))
            {
                throw new UnsupportedFeatureException($"string() with locale '{locale}' is not supported; only en-US number formatting is.");
            }

            var text = JsValue.NumberToString((double)v!);
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            var precision = dot >= 0 ? text.Length - dot - 1 : 0;
            return EvalResult.Ok(D3Format.FixedWithGrouping((double)v!, precision));
        }

        return EvalResult.Ok(JsValue.CommonStringify(v));
    }

    private static EvalResult IntImpl(object?[] args)
    {
        var v = args[0];
        if (v is string s)
        {
            var n = JsValue.ParseInt(s);
            return double.IsNaN(n) ? EvalResult.Fail($"parameter {s} is not a valid number string.") : EvalResult.Ok(n);
        }

        return JsValue.IsNumber(v) ? EvalResult.Ok(JsValue.ParseInt(JsValue.NumberToString((double)v!))) : EvalResult.Ok(Undefined.Value);
    }

    private static EvalResult FloatImpl(object?[] args)
    {
        var v = args[0];
        if (v is string s)
        {
            var n = JsValue.ParseFloat(s);
            return double.IsNaN(n) ? EvalResult.Fail($"parameter {s} is not a valid number string.") : EvalResult.Ok(n);
        }

        return JsValue.IsNumber(v) ? EvalResult.Ok(v) : EvalResult.Ok(Undefined.Value);
    }

    private static EvalResult SubstringImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        var str = call.Args[0].Eval(ctx, substitute);
        if (str.IsError)
        {
            return str;
        }

        if (str.Value is Undefined)
        {
            return EvalResult.Ok(string.Empty);
        }

        if (str.Value is not string s)
        {
            return EvalResult.Fail($"{call.Args[0]} is neither a string nor a null object.");
        }

        var start = call.Args[1].Eval(ctx, substitute);
        if (start.IsError)
        {
            return start;
        }

        if (!JsValue.IsInteger(start.Value))
        {
            return EvalResult.Fail($"{call.Args[1]} is not an integer.");
        }

        var from = (double)start.Value!;
        if (from < 0 || from > s.Length)
        {
            return EvalResult.Fail($"{call.Args[1]}={JsValue.NumberToString(from)} which is out of range for {s}");
        }

        double length = s.Length - from;
        if (call.Args.Length == 3)
        {
            var len = call.Args[2].Eval(ctx, substitute);
            if (len.IsError)
            {
                return len;
            }

            if (!JsValue.IsInteger(len.Value))
            {
                return EvalResult.Fail($"{call.Args[2]} is not an integer");
            }

            length = (double)len.Value!;
            if (length < 0 || from + length > s.Length)
            {
                return EvalResult.Fail($"{call.Args[2]}={JsValue.NumberToString(length)} which is out of range for {s}");
            }
        }

        return EvalResult.Ok(s.Substring((int)from, (int)length));
    }

    private static EvalResult ReplaceImpl(object?[] args)
    {
        var old = StringOrEmpty(args[1]);
        if (old.Length == 0)
        {
            return EvalResult.Fail($"{JsValue.ToStringCoerce(args[1])} should be a string with length at least 1");
        }

        return EvalResult.Ok(StringOrEmpty(args[0]).Replace(old, StringOrEmpty(args[2]), StringComparison.Ordinal));
    }

    private static EvalResult ContainsImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        // contains() never reports an error: a failing operand just means "not found".
        var (args, error) = EvaluateChildren(call, ctx, substitute, null);
        if (error is not null)
        {
            return EvalResult.Ok(false);
        }

        var (a, b) = (args[0], args[1]);
        if (a is string s && b is string t)
        {
            return EvalResult.Ok(s.Contains(t, StringComparison.Ordinal));
        }

        if (JsValue.IsArray(a))
        {
            return EvalResult.Ok(JsValue.ArrayItems(a).Any(item => JsValue.CommonEquals(item, b)));
        }

        if (b is string key)
        {
            return EvalResult.Ok(JsValue.AccessProperty(a, key) is not Undefined);
        }

        return EvalResult.Ok(false);
    }

    private static object? FirstOrLast(object? v, bool first)
    {
        if (v is string s && s.Length > 0)
        {
            return (first ? s[0] : s[^1]).ToString();
        }

        if (JsValue.IsArray(v) && JsValue.ArrayLength(v) > 0)
        {
            return JsValue.ArrayItem(v, first ? 0 : JsValue.ArrayLength(v) - 1);
        }

        return Undefined.Value;
    }

    private static EvalResult FormatNumberImpl(object?[] args)
    {
        var (number, precision) = (args[0], args[1]);
        if (!JsValue.IsNumber(number))
        {
            return EvalResult.Fail($"formatNumber first argument {JsValue.ToStringCoerce(number)} must be a number");
        }

        if (!JsValue.IsNumber(precision))
        {
            return EvalResult.Fail($"formatNumber second argument {JsValue.ToStringCoerce(precision)} must be a number");
        }

        if (args.Length == 3 && args[2] is string locale && !D3Format.IsDefaultLocale(locale))
        {
            throw new UnsupportedFeatureException($"formatNumber with locale '{locale}' is not supported; only en-US number formatting is.");
        }

        // d3-format only accepts a precision written as plain digits.
        var spec = JsValue.NumberToString((double)precision!);
        if (!spec.All(char.IsAsciiDigit))
        {
            return EvalResult.Fail($"invalid format: ,.{spec}f");
        }

        var p = (double)precision!;
        var rounded = RoundToPrecision((double)number!, p);
        return EvalResult.Ok(D3Format.FixedWithGrouping(rounded, (int)Math.Min(20, p)));
    }

    private static EvalResult IndexOfImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        var (args, error) = EvaluateChildren(call, ctx, substitute, null);
        if (error is not null)
        {
            return new EvalResult(-1d, error);
        }

        var (a, b) = (args[0], args[1]);
        if (a is null or string)
        {
            if (b is Undefined or string)
            {
                return EvalResult.Ok((double)StringOrEmpty(a).IndexOf(StringOrEmpty(b), StringComparison.Ordinal));
            }

            return new EvalResult(-1d, $"Can only look for indexof string in {call}");
        }

        if (JsValue.IsArray(a))
        {
            var n = JsValue.ArrayLength(a);
            for (var i = 0; i < n; i++)
            {
                if (JsValue.StrictEquals(JsValue.ArrayItem(a, i), b))
                {
                    return EvalResult.Ok((double)i);
                }
            }

            return EvalResult.Ok(-1d);
        }

        return new EvalResult(-1d, $"{call} works only on string or list.");
    }

    private static EvalResult SplitImpl(object?[] args)
    {
        var s = StringOrEmpty(args[0]);
        var sep = args.Length > 1 && JsValue.IsTruthy(args[1]) ? StringOrEmpty(args[1]) : string.Empty;
        if (sep.Length == 0)
        {
            return EvalResult.Ok(new List<object?>(s.Select(c => (object?)c.ToString())));
        }

        return EvalResult.Ok(new List<object?>(s.Split(sep).Select(x => (object?)x)));
    }

    private static EvalResult JsonImpl(object?[] args)
    {
        if (args[0] is not string s)
        {
            return EvalResult.Fail("args[0].trim is not a function");
        }

        try
        {
            var node = JsonNode.Parse(JsValue.JsTrim(s), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
            return EvalResult.Ok(JsValue.FromNode(node));
        }
        catch (JsonException e)
        {
            return EvalResult.Fail(e.Message);
        }
    }

    private static List<object?>? ConvertToList(object? instance)
    {
        if (JsValue.IsArray(instance))
        {
            return [.. JsValue.ArrayItems(instance)];
        }

        if (JsValue.IsObject(instance) || instance is null)
        {
            // typeof null is "object" too; Object.keys(null) then throws inside the evaluator.
            if (instance is null)
            {
                throw new JsCrashException("Cannot convert undefined or null to object");
            }

            return [.. JsValue.ObjectEntries(instance).Select(kv => (object?)new JsObject([new("key", kv.Key), new("value", kv.Value)]))];
        }

        return null;
    }

    private static EvalResult ForeachImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        var instance = call.Args[0].Eval(ctx, substitute);
        if (instance.IsError)
        {
            return instance;
        }

        if (!JsValue.IsTruthy(instance.Value))
        {
            return EvalResult.Fail($"'{call.Args[0]}' evaluated to null.");
        }

        var list = ConvertToList(instance.Value);
        if (list is null)
        {
            return EvalResult.Fail($"{call.Args[0]} is not a collection or structure object to run Foreach");
        }

        var result = new List<object?>(list.Count);
        string? error = null;
        RunLambda(call, ctx, substitute, list, (_, r) =>
        {
            if (r.IsError)
            {
                error = r.Error;
                return true;
            }

            result.Add(r.Value);
            return false;
        });
        return error is null ? EvalResult.Ok(result) : new EvalResult(result, error);
    }

    private static EvalResult WhereImpl(CallExpr call, EvalContext ctx, bool substitute)
    {
        var instance = call.Args[0].Eval(ctx, substitute);
        if (instance.IsError)
        {
            return instance;
        }

        var list = ConvertToList(instance.Value);
        if (list is null)
        {
            return EvalResult.Fail($"{call.Args[0]} is not a collection or structure object to run Where");
        }

        var result = new List<object?>();
        RunLambda(call, ctx, substitute, list, (item, r) =>
        {
            if (!r.IsError && JsValue.IsLogicTrue(r.Value))
            {
                result.Add(item);
            }

            return false;
        });

        if (!JsValue.IsArray(instance.Value))
        {
            var entries = new List<KeyValuePair<string, object?>>();
            foreach (var item in result)
            {
                var pair = (JsObject)item!;
                entries.Add(new((string)pair.Entries[0].Value!, pair.Entries[1].Value));
            }

            return EvalResult.Ok(new JsObject(entries));
        }

        return EvalResult.Ok(result);
    }

    private static void RunLambda(CallExpr call, EvalContext ctx, bool substitute, List<object?> list, Func<object?, EvalResult, bool> callback)
    {
        var iterator = ((AccessorExpr)call.Args[1]).Name;
        var saved = ctx.Locals;
        try
        {
            foreach (var item in list)
            {
                ctx.Locals = new LambdaFrame(iterator, item, saved);
                var r = call.Args[2].Eval(ctx, substitute);
                ctx.Locals = saved;
                if (callback(item, r))
                {
                    break;
                }
            }
        }
        finally
        {
            ctx.Locals = saved;
        }
    }
}

/// <summary>Something the official package would do that this engine deliberately refuses rather than approximates.</summary>
internal sealed class UnsupportedFeatureException(string message) : Exception(message);

/// <summary>d3-format's <c>,.Nf</c> with the en-US locale the package falls back to (note the U+2212 minus sign).</summary>
internal static class D3Format
{
    // localeInfo keys whose number format matches en-US; other keys of its xx-YY shape format differently and are
    // refused, while strings that are not keys at all fall back to d3's default, which is the en-US format.
    private static readonly HashSet<string> SameAsEnUs = new(StringComparer.Ordinal)
    {
        "en-US", "en-GB", "en-IE", "en-CA", "ar-EH", "ja-JP", "ko-KR", "es-MX", "zh-CN", "he-IL",
    };

    public static bool IsDefaultLocale(string locale) =>
        SameAsEnUs.Contains(locale) || !(locale.Length == 5 && locale[2] == '-' && char.IsAsciiLetterLower(locale[0])
            && char.IsAsciiLetterLower(locale[1]) && char.IsAsciiLetterUpper(locale[3]) && char.IsAsciiLetterUpper(locale[4]))
            && locale != "ar-001";

    public static string FixedWithGrouping(double value, int precision)
    {
        precision = Math.Clamp(precision, 0, 20);
        var negative = value < 0 || (value == 0 && double.IsNegative(value));
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        var text = JsValue.ToFixed(Math.Abs(value), precision);
        if (negative && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed == 0)
        {
            negative = false;
        }

        var split = 0;
        while (split < text.Length && char.IsAsciiDigit(text[split]))
        {
            split++;
        }

        var integer = text[..split];
        var suffix = split < text.Length ? text[split..] : string.Empty;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('\u2212');
        }

        for (var i = 0; i < integer.Length; i++)
        {
            if (i > 0 && (integer.Length - i) % 3 == 0)
            {
                sb.Append(',');
            }

            sb.Append(integer[i]);
        }

        return sb.Append(suffix).ToString();
    }
}

/// <summary>toUpperCase/toLowerCase use full Unicode case mapping, which .NET's invariant culture does not (ß → SS).</summary>
internal static class JsCase
{
    public static string ToUpper(string s)
    {
        var upper = s.ToUpperInvariant();
        if (upper.Contains('ß', StringComparison.Ordinal) || upper.Any(c => c is >= '\uFB00' and <= '\uFB06'))
        {
            var sb = new StringBuilder(upper.Length + 4);
            foreach (var c in upper)
            {
                sb.Append(c switch
                {
                    'ß' => "SS",
                    '\uFB00' => "FF",
                    '\uFB01' => "FI",
                    '\uFB02' => "FL",
                    '\uFB03' => "FFI",
                    '\uFB04' => "FFL",
                    '\uFB05' or '\uFB06' => "ST",
                    _ => c.ToString(),
                });
            }

            return sb.ToString();
        }

        return upper;
    }

    public static string ToLower(string s)
    {
        // The one context-free full lowercase mapping: İ (U+0130) becomes i + combining dot above.
        return s.Replace("\u0130", "i\u0307", StringComparison.Ordinal).ToLowerInvariant();
    }
}
