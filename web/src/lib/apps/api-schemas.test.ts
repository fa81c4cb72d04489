import { describe, expect, it } from 'vitest';
import { ApiSchemaCache, MethodSchemas } from './api-schemas';

const add = {
  input: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false },
  output: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
};

describe('plugin API schemas in the page', () => {
  // The same pointers the host's tests expect for the same values (ManifestServicesTests).
  it.each([
    [{ a: 1 }, '/b'],
    [{ a: '1', b: 2 }, '/a'],
    [{ a: 1, b: 2, c: 3 }, '/c'],
  ])('CheckInput_%j_PointsAt_%s', (value, pointer) => {
    expect(new MethodSchemas(add.input, add.output).checkInput(value).map((p) => p.pointer)).toContain(pointer);
  });

  it('CheckInput_NestedArrayItem_HasIndexInPointer', () => {
    const m = new MethodSchemas({ type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { n: { type: 'number' } } } } } }, {});
    expect(m.checkInput({ items: [{ n: 1 }, { n: 'x' }] })).toEqual([{ pointer: '/items/1/n', message: expect.stringContaining('number') }]);
  });

  it('CheckOutput_Valid_NoProblems', () => {
    expect(new MethodSchemas(add.input, add.output).checkOutput({ sum: 3 })).toEqual([]);
  });

  it('Cache_UnknownOrInheritedMethod_IsNull', () => {
    const cache = new ApiSchemaCache(() => ({ add }));
    expect(cache.get('dev.x', 'add')).not.toBeNull();
    expect(cache.get('dev.x', 'nope')).toBeNull();
    expect(cache.get('dev.x', 'toString')).toBeNull();
    expect(cache.get('dev.x', '__proto__')).toBeNull();
  });
});
