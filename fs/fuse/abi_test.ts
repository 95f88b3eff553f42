import assert from "node:assert/strict";
import * as abi from "./abi.ts";

const LAYOUTS: Record<string, Record<string, number>> = {
  InHeader: abi.InHeader,
  OutHeader: abi.OutHeader,
  Attr: abi.Attr,
  EntryOut: abi.EntryOut,
  AttrOut: abi.AttrOut,
  OpenOut: abi.OpenOut,
  InitIn: abi.InitIn,
  InitOut: abi.InitOut,
  SetattrIn: abi.SetattrIn,
  ReadIn: abi.ReadIn,
  WriteIn: abi.WriteIn,
  CopyFileRangeIn: abi.CopyFileRangeIn,
  StatfsOut: abi.StatfsOut,
};

Deno.test("struct layouts have the kernel's sizes and 64-bit padding", () => {
  const sizes = Object.fromEntries(
    Object.entries(LAYOUTS).map(([name, layout]) => [name, layout.sizeBytes]),
  );
  assert.deepEqual(sizes, {
    InHeader: 40,
    OutHeader: 16,
    Attr: 88,
    EntryOut: 128,
    AttrOut: 104,
    OpenOut: 16,
    InitIn: 64,
    InitOut: 64,
    SetattrIn: 88,
    ReadIn: 40,
    WriteIn: 40,
    CopyFileRangeIn: 56,
    StatfsOut: 80,
  });
  for (const [name, layout] of Object.entries(LAYOUTS)) {
    assert.equal(layout.sizeBytes! % 8, 0, `${name} is not 8-byte aligned`);
    for (const [field, offset] of Object.entries(layout)) {
      assert.ok(
        offset < layout.sizeBytes! || field === "sizeBytes" || field === "name",
        `${name}.${field}`,
      );
    }
  }
  assert.equal(abi.Direntplus.dirent, abi.EntryOut.sizeBytes);
});

Deno.test("opcodeName() names opcodes for logs", () => {
  assert.equal(abi.opcodeName(abi.Opcode.READDIRPLUS), "READDIRPLUS");
  assert.equal(abi.opcodeName(4096), "OPCODE_4096");
});
