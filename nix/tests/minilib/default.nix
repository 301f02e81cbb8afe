# A small implementation of the part of nixpkgs' lib that nix/module.nix, the
# option stubs and the tests use: the module system (evalModules, option
# declarations and defaults, mkIf, mkMerge, mkOverride priorities, mkOrder)
# and the usual option types. CI has Nix but no nixpkgs, so the module tests
# run against this; run.sh also runs them against the real lib
# (NIXPKGS_LIB=…) to show both agree. Written from the documented behaviour,
# not copied; error texts follow the real lib's where tests look at them.
let
  inherit (builtins)
    all
    any
    attrNames
    concatLists
    concatMap
    concatStringsSep
    elem
    filter
    foldl'
    functionArgs
    genList
    head
    intersectAttrs
    isAttrs
    isBool
    isFloat
    isFunction
    isInt
    isList
    isPath
    isString
    length
    mapAttrs
    match
    replaceStrings
    sort
    stringLength
    substring
    tail
    toJSON
    zipAttrsWith
    ;

  # Strings and lists.

  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: as: if cond then as else { };
  concatMapStringsSep =
    sep: f: xs:
    concatStringsSep sep (map f xs);
  mapAttrsToList = f: as: map (n: f n as.${n}) (attrNames as);
  filterAttrs =
    pred: as:
    builtins.listToAttrs (
      concatMap (n: optional (pred n as.${n}) { name = n; value = as.${n}; }) (attrNames as)
    );
  genAttrs =
    names: f:
    builtins.listToAttrs (
      map (n: {
        name = n;
        value = f n;
      }) names
    );
  hasPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;
  hasSuffix =
    suffix: s:
    let
      n = stringLength s;
      k = stringLength suffix;
    in
    k <= n && substring (n - k) k s == suffix;
  hasInfix =
    infix: s:
    let
      k = stringLength infix;
    in
    any (i: substring i k s == infix) (genList (i: i) (stringLength s - k + 1));
  removePrefix = prefix: s: if hasPrefix prefix s then substring (stringLength prefix) (-1) s else s;
  last = xs: builtins.elemAt xs (length xs - 1);
  reverseList =
    xs:
    let
      n = length xs;
    in
    genList (i: builtins.elemAt xs (n - i - 1)) n;
  unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
  toList = x: if isList x then x else [ x ];
  isStringLike = x: isString x || isPath x || x ? outPath || x ? __toString;
  isDerivation = x: isAttrs x && x.type or null == "derivation";
  isStorePath =
    x: isStringLike x && match "${builtins.storeDir}/[0-9a-z]{32}-[^/]+" (toString x) != null;
  escapeShellArg =
    arg:
    let
      s = toString arg;
    in
    if match "[[:alnum:],._+:@%/-]+" s != null then
      s
    else
      "'${replaceStrings [ "'" ] [ "'\\''" ] s}'";
  showOption = concatStringsSep ".";

  # Properties: wrappers a definition may carry, resolved at merge time.

  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;
  mkOrder = priority: content: {
    _type = "order";
    inherit priority content;
  };
  mkBefore = mkOrder 500;
  mkAfter = mkOrder 1500;
  defaultPriority = 100;
  defaultOrder = 1000;

  # A definition value → the values it stands for: mkMerge flattened, mkIf
  # decided. Overrides and orders stay for the caller.
  discharge =
    v:
    if v._type or null == "merge" then
      concatMap discharge v.contents
    else if v._type or null == "if" then
      if v.condition == true then
        discharge v.content
      else if v.condition == false then
        [ ]
      else
        throw "mkIf called with a non-Boolean condition"
    else
      [ v ];

  # An attribute-set definition (possibly wrapped) → attribute sets whose
  # values carry the wrappers, without forcing mkIf conditions: the module
  # system must know a definition's attribute names before it can decide
  # which conditions to evaluate.
  pushDown =
    v:
    if v._type or null == "merge" then
      concatMap pushDown v.contents
    else if v._type or null == "if" then
      map (mapAttrs (_: mkIf v.condition)) (pushDown v.content)
    else if v._type or null == "override" then
      map (mapAttrs (_: mkOverride v.priority)) (pushDown v.content)
    else
      [ v ];

  priorityOf = v: if v._type or null == "override" then v.priority else defaultPriority;
  orderOf = v: if v._type or null == "order" then v.priority else defaultOrder;
  strip =
    kind: v:
    if v._type or null == kind then concatMap (strip kind) (discharge v.content) else [ v ];

  # The heart of the module system: definitions of one option (or one
  # element of an attrsOf/listOf) → { isDefined, value, optionalValue }.
  mergeDefinitions =
    loc: type: defs:
    let
      discharged = concatMap (
        d:
        map (value: {
          inherit (d) file;
          inherit value;
        }) (discharge d.value)
      ) defs;
      best = foldl' (p: d: if priorityOf d.value < p then priorityOf d.value else p) 9999 discharged;
      kept = concatMap (
        d:
        map (value: {
          inherit (d) file;
          inherit value;
        }) (strip "override" d.value)
      ) (filter (d: priorityOf d.value == best) discharged);
      sorted = concatMap (
        d:
        map (value: {
          inherit (d) file;
          inherit value;
        }) (strip "order" d.value)
      ) (sort (a: b: orderOf a.value < orderOf b.value) kept);
      bad = filter (d: !type.check d.value) sorted;
      isDefined = sorted != [ ];
      value =
        if !isDefined then
          throw "The option `${showOption loc}' is used but not defined."
        else if bad != [ ] then
          throw "A definition for option `${showOption loc}' is not of type `${type.description}'. Definition values: ${
            concatMapStringsSep ", " (d: "${d.file}: ${showValue d.value}") bad
          }"
        else
          type.merge loc sorted;
    in
    {
      inherit isDefined value;
      optionalValue = if isDefined then { inherit value; } else { };
    };

  showValue =
    v:
    let
      r = builtins.tryEval (toJSON v);
    in
    if r.success then r.value else "<${builtins.typeOf v}>";

  # Options and types.

  mkOption = attrs: attrs // { _type = "option"; };
  isOption = x: isAttrs x && x._type or null == "option";
  mkEnableOption =
    name:
    mkOption {
      type = types.bool;
      default = false;
      example = true;
      description = "Whether to enable ${name}.";
    };
  # Only the single-attribute form: mkPackageOption pkgs "name" { … }.
  mkPackageOption =
    pkgs: name:
    {
      extraDescription ? "",
    }:
    mkOption {
      type = types.package;
      default = pkgs.${name} or (throw "${name} cannot be found in pkgs");
      defaultText = literalExpression "pkgs.${name}";
      description =
        "The ${name} package to use." + optionalString (extraDescription != "") " ${extraDescription}";
    };
  literalExpression = text: {
    _type = "literalExpression";
    inherit text;
  };

  mkOptionType =
    {
      name,
      description ? name,
      check ? (_: true),
      merge ? mergeDefaultOption,
      getSubOptions ? (_: { }),
    }:
    {
      _type = "option-type";
      inherit
        name
        description
        check
        merge
        getSubOptions
        ;
    };

  values = map (d: d.value);

  mergeEqualOption =
    loc: defs:
    if all (d: d.value == (head defs).value) defs then
      (head defs).value
    else
      throw "The option `${showOption loc}' has conflicting definition values: ${
        concatMapStringsSep ", " (d: "${d.file}: ${showValue d.value}") defs
      }";

  mergeOneOption =
    loc: defs:
    if length defs == 1 then
      (head defs).value
    else
      throw "The option `${showOption loc}' is defined multiple times while it's expected to be unique.";

  mergeDefaultOption =
    loc: defs:
    let
      vs = values defs;
    in
    if length defs == 1 then
      head vs
    else if all isList vs then
      concatLists vs
    else if all isAttrs vs then
      foldl' (a: b: a // b) { } vs
    else if all isBool vs then
      any (x: x) vs
    else
      mergeEqualOption loc defs;

  types = rec {
    bool = mkOptionType {
      name = "bool";
      description = "boolean";
      check = isBool;
      merge = mergeEqualOption;
    };
    str = mkOptionType {
      name = "str";
      description = "string";
      check = isString;
      merge = mergeEqualOption;
    };
    int = mkOptionType {
      name = "int";
      description = "signed integer";
      check = isInt;
      merge = mergeEqualOption;
    };
    float = mkOptionType {
      name = "float";
      description = "floating point number";
      check = isFloat;
      merge = mergeEqualOption;
    };
    port = addCheck int (x: x >= 0 && x <= 65535) // {
      name = "port";
      description = "16 bit unsigned integer; between 0 and 65535 (both inclusive)";
    };
    path = mkOptionType {
      name = "path";
      description = "absolute path";
      check = x: isStringLike x && substring 0 1 (toString x) == "/";
      merge = mergeEqualOption;
    };
    lines = mkOptionType {
      name = "lines";
      description = "strings concatenated with \"\\n\"";
      check = isString;
      merge = _: defs: concatStringsSep "\n" (values defs);
    };
    package = mkOptionType {
      name = "package";
      check = x: isDerivation x || isStorePath x;
      merge = mergeOneOption;
    };
    unspecified = mkOptionType { name = "unspecified"; };
    raw = mkOptionType {
      name = "raw";
      description = "raw value";
      merge = mergeOneOption;
    };
    anything = mkOptionType {
      name = "anything";
      merge =
        loc: defs:
        if all (d: isAttrs d.value && !isDerivation d.value) defs then
          (attrsOf anything).merge loc defs
        else if all (d: isList d.value) defs && length defs > 1 then
          throw "The option `${showOption loc}' has conflicting definitions: lists of type anything are not merged."
        else
          mergeEqualOption loc defs;
    };
    enum =
      vs:
      mkOptionType {
        name = "enum";
        description = "one of ${concatMapStringsSep ", " toJSON vs}";
        check = x: elem x vs;
        merge = mergeEqualOption;
      };
    nullOr =
      t:
      mkOptionType {
        name = "nullOr";
        description = "null or ${t.description}";
        check = x: x == null || t.check x;
        merge =
          loc: defs:
          let
            nulls = length (filter (d: d.value == null) defs);
          in
          if nulls == length defs then
            null
          else if nulls != 0 then
            throw "The option `${showOption loc}' is defined both null and not null."
          else
            t.merge loc defs;
        getSubOptions = t.getSubOptions;
      };
    listOf =
      t:
      mkOptionType {
        name = "listOf";
        description = "list of ${t.description}";
        check = isList;
        merge =
          loc: defs:
          concatMap (
            d:
            concatMap (
              x:
              let
                r = mergeDefinitions (loc ++ [ "[]" ]) t [
                  {
                    inherit (d) file;
                    value = x;
                  }
                ];
              in
              optional r.isDefined r.value
            ) d.value
          ) defs;
      };
    attrsOf =
      t:
      mkOptionType {
        name = "attrsOf";
        description = "attribute set of ${t.description}";
        check = isAttrs;
        merge =
          loc: defs:
          let
            merged = zipAttrsWith (name: ds: mergeDefinitions (loc ++ [ name ]) t ds) (
              concatMap (
                d:
                map (mapAttrs (
                  _: v: {
                    inherit (d) file;
                    value = v;
                  }
                )) (pushDown d.value)
              ) defs
            );
          in
          mapAttrs (_: r: r.value) (filterAttrs (_: r: r.isDefined) merged);
      };
    either =
      a: b:
      mkOptionType {
        name = "either";
        description = "${a.description} or ${b.description}";
        check = x: a.check x || b.check x;
        merge =
          loc: defs:
          if all (d: a.check d.value) defs then
            a.merge loc defs
          else if all (d: b.check d.value) defs then
            b.merge loc defs
          else
            mergeOneOption loc defs;
      };
    oneOf =
      ts:
      let
        rest = tail ts;
      in
      if rest == [ ] then head ts else either (head ts) (oneOf rest);
    addCheck = t: extra: t // { check = x: t.check x && extra x; };
    submodule =
      modules:
      mkOptionType {
        name = "submodule";
        check = x: isAttrs x || isFunction x || isPath x;
        merge =
          loc: defs:
          (evalModules {
            modules =
              toList modules
              ++ map (d: {
                _file = d.file;
                config = d.value;
              }) defs;
            specialArgs.name = last loc;
            prefix = loc;
          }).config;
      };
  };

  # Module evaluation.

  # A module (path, function or attribute set) → a list of normalized
  # modules { file, options, config }, its imports included.
  collect =
    args: file: m:
    let
      m1 = if isPath m || isString m then import m else m;
      file' = if isPath m || isString m then toString m else file;
      m2 = if isFunction m1 then m1 (intersectAttrs (functionArgs m1) args) else m1;
      shorthand = !(m2 ? options || m2 ? config);
      config =
        if shorthand then
          removeAttrs m2 [
            "_file"
            "imports"
            "key"
          ]
        else
          m2.config or { };
      f = m2._file or file';
    in
    [
      {
        file = f;
        options = m2.options or { };
        inherit config;
      }
    ]
    ++ concatMap (collect args f) (m2.imports or [ ]);

  # Option declarations from every module, merged into one tree.
  mergeDecls =
    loc: a: b:
    if isOption a || isOption b then
      throw "The option `${showOption loc}' is declared more than once."
    else
      a
      // mapAttrs (n: v: if a ? ${n} then mergeDecls (loc ++ [ n ]) a.${n} v else v) b;

  evalTree =
    loc: decls: defs:
    if isOption decls then
      let
        withDefault =
          defs
          ++ optional (decls ? default) {
            file = "<default>";
            value = mkOptionDefault decls.default;
          };
        value = (mergeDefinitions loc decls.type withDefault).value;
      in
      if decls ? apply then decls.apply value else value
    else
      let
        pushed = concatMap (
          d:
          map (
            v:
            if isAttrs v then
              {
                inherit (d) file;
                value = v;
              }
            else
              throw "The option `${showOption loc}' in ${d.file} is not an attribute set of options."
          ) (pushDown d.value)
        ) defs;
        undeclared = filter (n: !(decls ? ${n})) (unique (concatMap (d: attrNames d.value) pushed));
      in
      if undeclared != [ ] then
        throw "The option `${showOption (loc ++ [ (head undeclared) ])}' does not exist."
      else
        mapAttrs (
          n: sub:
          evalTree (loc ++ [ n ]) sub (
            concatMap (
              d:
              optional (d.value ? ${n}) {
                inherit (d) file;
                value = d.value.${n};
              }
            ) pushed
          )
        ) decls;

  evalModules =
    {
      modules,
      specialArgs ? { },
      prefix ? [ ],
    }:
    let
      args = specialArgs // {
        inherit lib options config;
      };
      collected = concatMap (collect args "<unknown>") modules;
      options = foldl' (mergeDecls prefix) { } (map (m: m.options) collected);
      # Later modules' definitions first, as nixpkgs' lib orders them.
      config = evalTree prefix options (
        map (m: {
          inherit (m) file;
          value = m.config;
        }) (lib.reverseList collected)
      );
    in
    {
      inherit options config;
    };

  lib = {
    inherit
      all
      any
      attrNames
      concatLists
      concatMap
      concatMapStringsSep
      concatStringsSep
      elem
      escapeShellArg
      evalModules
      filter
      filterAttrs
      genAttrs
      hasInfix
      hasPrefix
      hasSuffix
      head
      isDerivation
      isStorePath
      last
      literalExpression
      mapAttrs
      mapAttrsToList
      mkAfter
      mkBefore
      mkDefault
      mkEnableOption
      mkForce
      mkIf
      mkMerge
      mkOption
      mkOptionDefault
      mkOptionType
      mkOrder
      mkOverride
      mkPackageOption
      optional
      optionalAttrs
      optionalString
      optionals
      removePrefix
      reverseList
      showOption
      toList
      types
      unique
      ;
    strings = {
      inherit escapeShellArg hasPrefix removePrefix;
    };
  };
in
lib
