import { describe, expect, it } from 'vitest';
import { maskedLast4 } from './format';
import { emptyService, fieldForServerKey, formToBody, serviceToForm, splitServerErrors, validateService } from './service-form';
import type { ServiceDto } from './types';

const OPENAI: ServiceDto = {
  id: 'openai',
  displayName: 'OpenAI',
  baseUrl: 'https://api.openai.com/v1',
  methods: ['POST', 'GET'],
  pathPrefixes: ['/chat/completions', '/models'],
  secret: { in: 'header', name: 'Authorization', template: 'Bearer {secret}' },
  timeoutSeconds: 60,
  maxRequestBytes: 1048576,
  maxResponseBytes: 8388608,
  ratePerMinute: 60,
  burst: 1,
  allowStreaming: true,
  allowPrivateNetwork: false,
  enabled: false,
  configured: false,
};

function valid() {
  return { ...emptyService(), id: 'local-llm', displayName: 'Local LLM', baseUrl: 'http://127.0.0.1:8080/v1' };
}

describe('service form', () => {
  it('serviceToForm_ThenFormToBody_RoundTripsEveryFieldButConfigured', () => {
    const { configured: _configured, ...body } = OPENAI;
    expect(formToBody(serviceToForm(OPENAI))).toEqual({ ...body, methods: ['GET', 'POST'] });
  });

  it('formToBody_BlankPrefixRows_Dropped', () => {
    const f = { ...valid(), pathPrefixes: [' /a ', '', '  '] };
    expect(formToBody(f).pathPrefixes).toEqual(['/a']);
  });

  it('validateService_ValidForm_NoErrors', () => {
    expect(validateService(valid(), true)).toEqual({});
  });

  it.each([
    ['ftp://example.com', 'Only http and https'],
    ['https://user:pw@example.com', 'No user name'],
    ['https://example.com/v1?key=1', 'No query'],
    ['https://example.com/#x', 'No #fragment'],
    ['example.com', 'absolute URL'],
  ])('validateService_BaseUrl_%s_Refused', (baseUrl, message) => {
    expect(validateService({ ...valid(), baseUrl }, true).baseUrl).toContain(message);
  });

  it('validateService_TemplateWithoutPlaceholder_ErrorOnTemplate', () => {
    expect(validateService({ ...valid(), secretTemplate: 'Bearer ' }, true)['secret.template']).toContain('{secret}');
  });

  it('validateService_HeaderNameWithSpaceOrCrLf_ErrorOnName', () => {
    expect(validateService({ ...valid(), secretName: 'X Key' }, true)['secret.name']).toBeDefined();
    expect(validateService({ ...valid(), secretName: 'X-Key\r\nEvil: 1' }, true)['secret.name']).toBeDefined();
  });

  it('validateService_NoMethods_ErrorOnMethods', () => {
    const methods = { GET: false, POST: false, PUT: false, PATCH: false, DELETE: false };
    expect(validateService({ ...valid(), methods }, true).methods).toBeDefined();
  });

  it('validateService_PrefixWithTraversal_ErrorOnPrefixes', () => {
    expect(validateService({ ...valid(), pathPrefixes: ['/v1/../admin'] }, true).pathPrefixes).toContain('/v1/../admin');
    expect(validateService({ ...valid(), pathPrefixes: [''] }, true).pathPrefixes).toBeDefined();
  });

  it('validateService_BadNumbers_ErrorPerField', () => {
    const e = validateService({ ...valid(), timeoutSeconds: 0, maxRequestBytes: 1.5, maxResponseBytes: -1, ratePerMinute: Number.NaN }, true);
    expect(Object.keys(e).sort()).toEqual(['maxRequestBytes', 'maxResponseBytes', 'ratePerMinute', 'timeoutSeconds']);
  });

  it('validateService_IdChecked_OnlyWhenNew', () => {
    expect(validateService({ ...valid(), id: 'Bad Id' }, true).id).toBeDefined();
    expect(validateService({ ...valid(), id: 'Bad Id' }, false).id).toBeUndefined();
  });

  it.each([
    ['baseUrl', 'baseUrl'],
    ['BaseUrl', 'baseUrl'],
    ['secret.template', 'secret.template'],
    ['Secret.Template', 'secret.template'],
    ['$.secret.template', 'secret.template'],
    ['/secret/name', 'secret.name'],
    ['template', 'secret.template'],
    ['pathPrefixes[1]', 'pathPrefixes'],
    ['maxResponseBytes', 'maxResponseBytes'],
  ])('fieldForServerKey_%s_Is_%s', (key, field) => {
    expect(fieldForServerKey(key)).toBe(field);
  });

  it('splitServerErrors_UnknownKey_GoesToOther', () => {
    const r = splitServerErrors({ baseUrl: ['Must be https.'], '': ['Something else.'], mystery: ['Odd.'] });
    expect(r.fields).toEqual({ baseUrl: 'Must be https.' });
    expect(r.other).toEqual(['Something else.', 'mystery: Odd.']);
  });

  it('maskedLast4_Value_OnlyLastFourAfterDots', () => {
    expect(maskedLast4('abcd')).toBe('••••abcd');
    expect(maskedLast4('xxabcd')).toBe('••••abcd');
  });
  it('validateService_BurstAboveRate_NamesBurst', () => {
    expect(Object.keys(validateService({ ...valid(), ratePerMinute: 10, burst: 11 }, true))).toEqual(['burst']);
    expect(Object.keys(validateService({ ...valid(), ratePerMinute: 10, burst: 0 }, true))).toEqual(['burst']);
  });
});
