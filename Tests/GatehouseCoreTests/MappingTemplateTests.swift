import Foundation
import GatehouseCore
import Testing

/// The mapping-template engine against the examples in AWS's mapping-template reference and its example
/// pages (input, template, expected output), plus Velocity 1.7's rules for whitespace, null references and
/// errors that those examples depend on.
@Suite struct MappingTemplateTests {
    static let pets = #"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]"#

    static let photos = #"""
    {"photos": {"page": 1, "pages": "1234", "perpage": 100, "total": "123398", "photo": [
      {"id": "12345678901", "owner": "23456789@A12", "photographer_first_name": "Saanvi", "photographer_last_name": "Sarkar",
       "secret": "abc123d456", "server": "1234", "farm": 1, "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
      {"id": "23456789012", "owner": "34567890@B23", "photographer_first_name": "Richard", "photographer_last_name": "Roe",
       "secret": "bcd234e567", "server": "2345", "farm": 2, "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}]}}
    """#

    /// Input (body, parameters), template, expected output compared as JSON.
    static let jsonCases: [(name: String, input: TemplateInput, template: String, expected: String)] = [
        ("pet store: the items with a description and an asking price", TemplateInput(body: pets), #"""
        #set($inputRoot = $input.path('$'))
        [
        #foreach($elem in $inputRoot)
          {
            "description" : "Item $elem.id is a $elem.type.",
            "askingPrice" : $elem.price
          }#if($foreach.hasNext),#end

        #end
        ]
        """#, #"""
        [{"description": "Item 1 is a dog.", "askingPrice": 249.99}, {"description": "Item 2 is a cat.", "askingPrice": 124.99},
         {"description": "Item 3 is a fish.", "askingPrice": 0.99}]
        """#),
        ("photos: a nested list walked with $foreach", TemplateInput(body: photos), #"""
        #set($inputRoot = $input.path('$'))
        {
          "photos": {
            "page": $inputRoot.photos.page,
            "pages": "$inputRoot.photos.pages",
            "perpage": $inputRoot.photos.perpage,
            "total": "$inputRoot.photos.total",
            "photo": [
        #foreach($elem in $inputRoot.photos.photo)
              {
                "id": "$elem.id",
                "photographedBy": "$elem.photographer_first_name $elem.photographer_last_name",
                "title": "$elem.title",
                "ispublic": $elem.ispublic,
                "isfriend": $elem.isfriend,
                "isfamily": $elem.isfamily
              }#if($foreach.hasNext),#end

        #end
            ]
          }
        }
        """#, #"""
        {"photos": {"page": 1, "pages": "1234", "perpage": 100, "total": "123398", "photo": [
          {"id": "12345678901", "photographedBy": "Saanvi Sarkar", "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
          {"id": "23456789012", "photographedBy": "Richard Roe", "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}]}}
        """#),
        ("$input.params(): every parameter by type, escaped", TemplateInput(pathParameters: ["petId": "7"], queryParameters: ["q": "a\"b"],
                                                                             headers: [("X-Trace", "t-1")]), #"""
        #set($allParams = $input.params())
        {
          "params" : {
            #foreach($type in $allParams.keySet())
            #set($params = $allParams.get($type))
            "$type" : {
              #foreach($paramName in $params.keySet())
              "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
              #if($foreach.hasNext),#end
              #end
            }
            #if($foreach.hasNext),#end
            #end
          }
        }
        """#, #"{"params": {"path": {"petId": "7"}, "querystring": {"q": "a\"b"}, "header": {"X-Trace": "t-1"}}}"#),
        ("$input.json and $input.params by name", TemplateInput(body: #"{"name": "Rex", "tags": ["a", "b"], "owner": {"id": 9}}"#,
                                                                  pathParameters: ["id": "42"], headers: [("Content-Type", "application/json")]), #"""
        {
          "id": "$input.params('id')",
          "type": "$input.params('content-type')",
          "tags": $input.json('$.tags'),
          "owner": $input.json('$.owner'),
          "ownerId": $input.path('$.owner.id'),
          "firstTag": $input.json('$.tags[0]'),
          "all": $input.json('$')
        }
        """#, #"""
        {"id": "42", "type": "application/json", "tags": ["a", "b"], "owner": {"id": 9}, "ownerId": 9, "firstTag": "a",
         "all": {"name": "Rex", "tags": ["a", "b"], "owner": {"id": 9}}}
        """#),
        ("$context and $stageVariables", TemplateInput(context: ["requestId": "r-1", "identity.sourceIp": "10.0.0.1", "stage": "prod"],
                                                       stageVariables: ["table": "pets"]), #"""
        {"requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "stage": "${context.stage}", "table": "$stageVariables.table"}
        """#, #"{"requestId": "r-1", "ip": "10.0.0.1", "stage": "prod", "table": "pets"}"#),
        ("$util.parseJson of a string field holding JSON", TemplateInput(body: #"{"payload": "{\"a\": [1, 2], \"b\": \"x\"}"}"#), #"""
        #set($inner = $util.parseJson($input.path('$.payload')))
        {"a": $inner.a, "second": $inner.a.get(1), "b": "$inner.b", "size": $inner.size()}
        """#, #"{"a": [1, 2], "second": 2, "b": "x", "size": 2}"#),
        ("a list and a map built with add and put", TemplateInput(body: pets), #"""
        #set($ids = [])
        #set($byType = {})
        #foreach($pet in $input.path('$'))
        #set($ignored = $ids.add($pet.id))
        #set($ignored = $byType.put($pet.type, $pet.price))
        #end
        {"ids": $ids, "count": $ids.size(), "dog": $byType.get('dog'), "types": "$byType.keySet()"}
        """#, #"{"ids": [1, 2, 3], "count": 3, "dog": 249.99, "types": "[dog, cat, fish]"}"#),
        ("#if / #elseif / #else on a query parameter, with && and comparisons",
         TemplateInput(queryParameters: ["kind": "b", "n": "5"]), #"""
        #set($kind = $input.params('kind'))
        {"kind":
        #if($kind == "a")"first"#elseif($kind == "b" && 2 > 1)"second"#else"other"#end
        , "even": #if(4 % 2 == 0)true#{else}false#end}
        """#, #"{"kind": "second", "even": true}"#),
    ]

    @Test(arguments: 0..<jsonCases.count)
    func documentedExamples(_ index: Int) throws {
        let example = Self.jsonCases[index]
        let output = try VelocityTemplate(example.template).render(example.input)
        let rendered = try TemplateJSON.parse(output)
        #expect(rendered == (try TemplateJSON.parse(example.expected)), "\(example.name): \(output)")
    }

    /// Exact text, where Velocity 1.7's rules decide every character.
    static let textCases: [(template: String, input: TemplateInput, expected: String)] = [
        ("#set($a = 1)\n$a\n", TemplateInput(), "1\n"),
        ("x\n    #set($a = 'b')\n$a", TemplateInput(), "x\nb"),
        ("#if(true)\nyes\n#end\nafter", TemplateInput(), "yes\nafter"),
        ("  #if(true)\n  yes\n  #end\n", TemplateInput(), "    yes\n  "),
        ("#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end", TemplateInput(), "1,2,3"),
        ("#foreach($i in [3..1])$velocityCount:$i #end", TemplateInput(), "1:3 2:2 3:1 "),
        ("#foreach($i in [1, 2, 3, 4])#if($i == 3)#break#end$i#end", TemplateInput(), "12"),
        ("a#stop b", TemplateInput(), "a"),
        ("$nope|$!nope|${nope}|$!{nope}|$nope.deeper()", TemplateInput(), "$nope||${nope}||$nope.deeper()"),
        ("## a comment\nkept #* a block\ncomment *#here", TemplateInput(), "kept here"),
        ("#[[ $not #if(x) ]]#", TemplateInput(), " $not #if(x) "),
        ("\\$escaped and \\#if and $5 and # alone and #fff", TemplateInput(), "$escaped and #if and $5 and # alone and #fff"),
        ("$util.escapeJavaScript(\"He said: 'hi' / \\\"x\\\"\n\")", TemplateInput(), "He said: \\'hi\\' \\/ \\\"x\\\"\\n"),
        ("$util.urlEncode('a b&c=d/é')|$util.urlDecode('a+b%26c')", TemplateInput(), "a+b%26c%3Dd%2F%C3%A9|a b&c"),
        ("$util.base64Encode('hello')|$util.base64Decode('aGVsbG8=')", TemplateInput(), "aGVsbG8=|hello"),
        ("$input.json('$.missing')|$input.json('$')|$!input.path('$.missing')", TemplateInput(), "|{}|"),
        ("$input.json('$[*].id')|$input.json('$..type')|$input.json('$[-1].id')", TemplateInput(body: pets), "[1,2,3]|[\"dog\",\"cat\",\"fish\"]|3"),
        ("$input.body", TemplateInput(body: "raw text, not JSON"), "raw text, not JSON"),
        ("#set($s = 'Hello, World')$s.toUpperCase() $s.length() $s.substring(7) $s.replaceAll('[lo]', '_') $s.split(', ').size() $s.contains('World')",
         TemplateInput(), "HELLO, WORLD 12 World He___, W_r_d 2 true"),
        ("#set($n = 7)#set($m = $n / 2)$m $n.equals(7) #if($n >= 7 and not false)ok#end ${n}0", TemplateInput(), "3 true ok 70"),
        ("#set($x = $nope)#if(!$x)unset#end #set($e = '')#if($e)empty-is-true#end", TemplateInput(), "unsetempty-is-true"),
        ("#set($m = {'a': 1})#set($m.b = 2)$m $m.a", TemplateInput(), "{a=1, b=2} 1"),
        ("$input.path('$.f') $input.path('$.list')", TemplateInput(body: #"{"f": 1.0, "list": [1, "a", true]}"#), "1.0 [1, a, true]"),
        ("#set($p = \"id-$input.params('id')\")$p", TemplateInput(pathParameters: ["id": "9"]), "id-9"),
    ]

    @Test(arguments: 0..<textCases.count)
    func velocityRules(_ index: Int) throws {
        let example = Self.textCases[index]
        #expect(try VelocityTemplate(example.template).render(example.input) == example.expected, "\(example.template)")
    }

    /// Parse errors name the line and column of the mistake.
    static let syntaxErrors: [(template: String, line: Int, message: String)] = [
        ("{\n  \"a\": 1\n}\n#end", 4, "#end without an #if or #foreach"),
        ("line one\n#if($x == 1)\nyes", 2, "#if is not closed with #end"),
        ("ok\n\n#set($a 1)", 3, "#set needs '='"),
        ("#foreach($x $list)#end", 1, "#foreach needs 'in'"),
        ("a\n#if($a ==)#end", 2, "unexpected ')'"),
        ("#set($s = \"unclosed)", 1, "is not closed"),
        ("x #* never closed", 1, "#* comment is not closed"),
        ("#if(true)#else#else#end", 1, "a second #else"),
    ]

    @Test(arguments: 0..<syntaxErrors.count)
    func syntaxErrorsNameTheLine(_ index: Int) {
        let example = Self.syntaxErrors[index]
        do {
            _ = try VelocityTemplate(example.template)
            Issue.record("\(example.template) parsed")
        } catch {
            #expect(error.line == example.line, "\(error)")
            #expect(error.message.contains(example.message), "\(error)")
        }
    }

    /// Failures while rendering (what a call would answer 500 for) name their line too.
    static let renderErrors: [(template: String, input: TemplateInput, line: Int, message: String)] = [
        ("{\n  \"a\": $util.parseJson($input.body)\n}", TemplateInput(body: "{nope"), 2, "not valid JSON"),
        ("{\n\n  \"a\": $input.json('$.a')}", TemplateInput(body: "plain text"), 3, "the body is not valid JSON"),
        ("#set($big = [1..2000])\n#foreach($i in $big)x#end", TemplateInput(), 2, "more than the 1000 rounds"),
        ("$util.urlDecode('%zz')", TemplateInput(), 1, "not URL-encoded"),
        ("x\n$input.json('pets')", TemplateInput(body: "{}"), 2, "must start with '$'"),
        ("$util.toJson('x')", TemplateInput(), 1, "$util has no toJson()"),
    ]

    @Test(arguments: 0..<renderErrors.count)
    func renderErrorsNameTheLine(_ index: Int) throws {
        let example = Self.renderErrors[index]
        let template = try VelocityTemplate(example.template)
        do {
            let output = try template.render(example.input)
            Issue.record("\(example.template) rendered \(output)")
        } catch {
            #expect(error.line == example.line, "\(error)")
            #expect(error.message.contains(example.message), "\(error)")
        }
    }

    @Test func staticTemplatesAreKnownAsSuch() throws {
        #expect(try VelocityTemplate(#"{"statusCode": 200}"#).staticText == #"{"statusCode": 200}"#)
        #expect(try VelocityTemplate(#"{"statusCode": $input.params('code')}"#).staticText == nil)
        #expect(try VelocityTemplate("#if(true)a#end").isStatic == false)
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "#if(true)", count: 150) + String(repeating: "#end", count: 150)
        #expect(throws: TemplateError.self) { try VelocityTemplate(deep) }
        let deepBody = String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000)
        #expect(throws: TemplateError.self) { try VelocityTemplate("$input.json('$')").render(TemplateInput(body: deepBody)) }
    }
}
