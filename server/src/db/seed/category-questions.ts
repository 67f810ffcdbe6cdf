/**
 * Questions a category asks beyond the description: Open311 service attributes. Stored as JSON on the
 * category; seeded for a few categories so a fresh install shows how they work.
 */
export type QuestionType = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist';

export interface CategoryQuestion {
  code: string;
  datatype: QuestionType;
  required: boolean;
  description: string;
  datatypeDescription?: string;
  order: number;
  values?: { key: string; name: string }[];
}

export const CATEGORY_QUESTIONS: Record<string, CategoryQuestion[]> = {
  'water-supply-no-water': [
    {
      code: 'days_without_water',
      datatype: 'number',
      required: false,
      description: 'For how many days has there been no water?',
      order: 1,
    },
    {
      code: 'supply_type',
      datatype: 'singlevaluelist',
      required: true,
      description: 'Which supply has stopped?',
      order: 2,
      values: [
        { key: 'pipeline', name: 'Public pipeline' },
        { key: 'tubewell', name: 'Tube well' },
        { key: 'tanker', name: 'Water tanker' },
      ],
    },
  ],
  'roads-potholes': [
    {
      code: 'hazards',
      datatype: 'multivaluelist',
      required: false,
      description: 'What makes it dangerous?',
      order: 1,
      values: [
        { key: 'deep', name: 'Deep pothole' },
        { key: 'unlit', name: 'No street light' },
        { key: 'school', name: 'Near a school' },
      ],
    },
    {
      code: 'noticed_at',
      datatype: 'datetime',
      required: false,
      description: 'When did you first notice it?',
      order: 2,
    },
  ],
};
