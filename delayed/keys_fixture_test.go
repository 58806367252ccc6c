package delayed

import (
	"testing"

	"github.com/godask/godask/graph"
)

// fixtureValues are calls of registered functions whose keys are pinned by
// fixtureKeys, recorded before the one-allocation call cells: the keys of a
// computation must not change with how the builder stores it. (Literals
// encoded with gob are left out: gob's type ids depend on the order types
// are first encoded in the process; TestTypedCellsMatchGeneralPath compares
// them within one process.)
func fixtureValues() map[string]interface{ Keys() []graph.Key } {
	x := Call(inc, Lit(5))
	y := Call2(addi, In[int](x), Lit(1000))
	return map[string]interface{ Keys() []graph.Key }{
		"inc5":    x,
		"inc-big": Call(inc, Lit(-1<<62)),
		"addi":    y,
		"addi2":   Call2(addi, In[int](y), In[int](x)),
		"add":     Call2(add, Lit(1.5), Lit(2.5)),
		"half":    CallE(half, Lit(4)),
		"half2":   CallE(half, In[int](y)),
		"list":    List(In[int](x), Lit(7), In[int](y)),
		"avg":     Call(avg, In[[]float64](List(Lit(1.0), Lit(2.0)))),
	}
}

func TestKeysFixture(t *testing.T) {
	for name, v := range fixtureValues() {
		got := v.Keys()[0]
		if want := fixtureKeys[name]; string(got) != want {
			t.Errorf("%s: key %s, want %s", name, got, want)
		}
	}
}

var fixtureKeys = map[string]string{
	"add":     "add-f2d6b0cc7aa3b55fc24edac8857a7c98",
	"addi":    "addi-abbc4102e4b95eccb5cbcfa359827c5f",
	"addi2":   "addi-8c2bb7fab47303ae3a9aa85e382f711a",
	"avg":     "avg-865a7eab87af2cba87d741b15e97b331",
	"half":    "half-00181d7e69522229394d7e7f014e920d",
	"half2":   "half-c55b76075ff44ceffca7e03ea7485076",
	"inc-big": "inc-b23193e237eefe7ad4822382565002c4",
	"inc5":    "inc-6e46637138b1e6190a9d16e2edecaf4b",
	"list":    "list-0847c5c7195fdfd1387707179df84b96",
}
